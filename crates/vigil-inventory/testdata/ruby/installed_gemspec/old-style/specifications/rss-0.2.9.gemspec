# -*- encoding: utf-8 -*-
# stub: rss 0.2.9 ruby lib

Gem::Specification.new do |s|
  s.name = %q{rss}
  s.version = %q{0.2.9}

  s.required_rubygems_version = Gem::Requirement.new(">= 0") if s.respond_to? :required_rubygems_version=
  s.authors = [%q{Kouhei Sutou}]
  s.licenses = [%q{BSD-2-Clause}]

  if s.respond_to? :specification_version then
    s.specification_version = 4

    if Gem::Version.new(Gem::VERSION) >= Gem::Version.new('1.2.0') then
      s.add_runtime_dependency(%q<rexml>, [">= 0"])
      s.add_development_dependency(%q<rake>, [">= 0"])
    else
      s.add_dependency(%q<rexml>, [">= 0"])
      s.add_dependency(%q<rake>, [">= 0"])
    end
  else
    s.add_dependency(%q<rexml>, [">= 0"])
    s.add_dependency(%q<rake>, [">= 0"])
  end
end
