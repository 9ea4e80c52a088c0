# -*- encoding: utf-8 -*-
# stub: broken 1.0.0 ruby lib

Gem::Specification.new do |s|
  s.name = Broken::NAME
  s.version = "1.0.0"
end
