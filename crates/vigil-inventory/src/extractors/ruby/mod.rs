//! Ruby (RubyGems) formats.

pub mod gemfile_lock;
