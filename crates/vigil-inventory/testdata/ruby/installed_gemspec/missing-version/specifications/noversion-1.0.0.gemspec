# -*- encoding: utf-8 -*-
# stub: noversion 1.0.0 ruby lib

Gem::Specification.new do |s|
  s.name = "noversion".freeze
  s.summary = "A spec that lost its version".freeze
end
