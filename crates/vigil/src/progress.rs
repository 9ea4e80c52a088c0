//! Progress bars on stderr, drawn only for a person watching: stderr is a
//! terminal, `CI` is not set, no `--quiet`, and no `-v` logs to mix with.
//! Otherwise the libraries report to a receiver that does nothing, and the
//! output is exactly what it would be without bars. Never on stdout.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use vigil_model::progress::{Progress, ProgressHandle, Unit};

/// Whether bars are drawn.
pub(crate) fn enabled() -> bool {
    !crate::quiet()
        && std::env::var_os("CI").is_none()
        && !tracing::enabled!(tracing::Level::INFO)
        && std::io::stderr().is_terminal()
}

/// A receiver for the libraries: bars when [`enabled`], else silent.
pub(crate) fn handle() -> ProgressHandle {
    if enabled() {
        ProgressHandle::new(Arc::new(Bars::default()))
    } else {
        ProgressHandle::default()
    }
}

/// One bar at a time, replaced at each phase.
#[derive(Default)]
struct Bars {
    current: Mutex<Option<ProgressBar>>,
}

fn style(unit: Unit, known: bool) -> ProgressStyle {
    let template = match (unit, known) {
        (Unit::Bytes, true) => {
            "{spinner} {msg} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} {eta}"
        }
        (Unit::Bytes, false) => "{spinner} {msg} {bytes} {bytes_per_sec}",
        (Unit::Items, true) => "{spinner} {msg} [{bar:30}] {pos}/{len}",
        (Unit::Items, false) => "{spinner} {msg} {pos}",
        (Unit::Step, _) => "{spinner} {msg}",
    };
    ProgressStyle::with_template(template)
        .unwrap_or_else(|_| ProgressStyle::default_spinner())
        .progress_chars("=> ")
}

impl Progress for Bars {
    fn start(&self, message: &str, unit: Unit, total: Option<u64>) {
        let Ok(mut current) = self.current.lock() else {
            return;
        };
        if let Some(old) = current.take() {
            old.finish_and_clear();
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        bar.set_style(style(unit, total.is_some()));
        bar.set_message(message.to_string());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        *current = Some(bar);
    }

    fn advance(&self, n: u64) {
        if let Ok(current) = self.current.lock() {
            if let Some(bar) = current.as_ref() {
                bar.inc(n);
            }
        }
    }

    fn finish(&self) {
        if let Ok(mut current) = self.current.lock() {
            if let Some(bar) = current.take() {
                bar.finish_and_clear();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_bars_off_a_terminal() {
        // Test harnesses capture stderr; when they do not, nothing to check.
        if !std::io::stderr().is_terminal() {
            assert!(!enabled());
        }
    }

    #[test]
    fn bars_take_every_phase_kind() {
        let bars = Bars::default();
        for (unit, total) in [
            (Unit::Bytes, Some(10)),
            (Unit::Bytes, None),
            (Unit::Items, Some(3)),
            (Unit::Items, None),
            (Unit::Step, None),
        ] {
            bars.start("phase", unit, total);
            bars.advance(2);
            let pos = bars
                .current
                .lock()
                .unwrap()
                .as_ref()
                .map(ProgressBar::position);
            assert_eq!(pos, Some(2));
        }
        bars.finish();
        assert!(bars.current.lock().unwrap().is_none());
    }
}
