//! Ruby (RubyGems) formats.

mod gemfile;
pub mod gemfile_lock;
pub mod installed_gemspec;
