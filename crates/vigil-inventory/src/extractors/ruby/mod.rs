//! Ruby (RubyGems) formats.

pub mod gemfile_lock;
pub mod installed_gemspec;
