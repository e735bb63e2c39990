//! Prometheus metrics, written by hand in the text exposition format (version 0.0.4) at
//! `GET /metrics`: request counts and latency histograms per route, the model's age, retrain
//! durations and failures, and fold-in times. A few mutex-guarded maps suffice at this
//! scale; no metrics crate is needed.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the request latency buckets.
const REQUEST_BUCKETS: &[f64] = &[
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];
/// Upper bounds (seconds) of the retrain duration buckets.
const RETRAIN_BUCKETS: &[f64] = &[0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0];
/// Upper bounds (seconds) of the fold-in buckets.
const FOLD_IN_BUCKETS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];

/// A cumulative histogram over fixed bucket bounds.
#[derive(Clone, Debug)]
struct Histogram {
    bounds: &'static [f64],
    /// Observations per bucket (not cumulative; the exposition sums them).
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, seconds: f64) {
        if let Some(i) = self.bounds.iter().position(|&b| seconds <= b) {
            self.counts[i] += 1;
        }
        self.sum += seconds;
        self.count += 1;
    }

    /// Appends `name_bucket`, `name_sum` and `name_count` lines with `labels` (`k="v",` pairs
    /// or empty).
    fn write(&self, out: &mut String, name: &str, labels: &str) {
        let mut cumulative = 0;
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            cumulative += count;
            let _ = writeln!(out, "{name}_bucket{{{labels}le=\"{bound}\"}} {cumulative}");
        }
        let _ = writeln!(out, "{name}_bucket{{{labels}le=\"+Inf\"}} {}", self.count);
        let bare = labels.trim_end_matches(',');
        let braces = if bare.is_empty() {
            String::new()
        } else {
            format!("{{{bare}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

/// Requests of one route and method.
#[derive(Clone, Debug)]
struct RouteStats {
    by_status: BTreeMap<u16, u64>,
    latency: Histogram,
}

/// The process's metrics (shared by every request through the state).
#[derive(Debug)]
pub struct Metrics {
    routes: Mutex<BTreeMap<(String, String), RouteStats>>,
    retrain: Mutex<Histogram>,
    retrain_failures: Mutex<u64>,
    fold_in: Mutex<Histogram>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self {
            routes: Mutex::new(BTreeMap::new()),
            retrain: Mutex::new(Histogram::new(RETRAIN_BUCKETS)),
            retrain_failures: Mutex::new(0),
            fold_in: Mutex::new(Histogram::new(FOLD_IN_BUCKETS)),
        }
    }
}

/// Escapes a label value (backslash, quote, newline), as the format requires.
fn label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Counts a request to `route` (the matched path pattern, so ids do not multiply series).
    pub fn observe_request(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let mut routes = self.routes.lock().unwrap_or_else(|e| e.into_inner());
        let stats = routes
            .entry((route.to_string(), method.to_string()))
            .or_insert_with(|| RouteStats {
                by_status: BTreeMap::new(),
                latency: Histogram::new(REQUEST_BUCKETS),
            });
        *stats.by_status.entry(status).or_default() += 1;
        stats.latency.observe(elapsed.as_secs_f64());
    }

    /// Records a finished retrain's wall-clock seconds.
    pub fn observe_retrain(&self, seconds: f64) {
        self.retrain
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .observe(seconds);
    }

    /// Counts a failed retrain.
    pub fn count_retrain_failure(&self) {
        *self
            .retrain_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner()) += 1;
    }

    /// Records the time one request spent folding a user's history in and scoring.
    pub fn observe_fold_in(&self, elapsed: Duration) {
        self.fold_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .observe(elapsed.as_secs_f64());
    }

    /// The text exposition; `model` describes the live model.
    pub fn render(&self, model: &ModelGauge<'_>) -> String {
        let mut out = String::with_capacity(8 * 1024);
        out.push_str(
            "# HELP recsys_http_requests_total HTTP requests by route, method and status.\n\
             # TYPE recsys_http_requests_total counter\n",
        );
        let routes = self
            .routes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        for ((route, method), stats) in &routes {
            for (status, n) in &stats.by_status {
                let _ = writeln!(
                    out,
                    "recsys_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {n}",
                    label(route),
                    label(method)
                );
            }
        }
        out.push_str(
            "# HELP recsys_http_request_duration_seconds Request latency by route and method.\n\
             # TYPE recsys_http_request_duration_seconds histogram\n",
        );
        for ((route, method), stats) in &routes {
            let labels = format!("route=\"{}\",method=\"{}\",", label(route), label(method));
            stats
                .latency
                .write(&mut out, "recsys_http_request_duration_seconds", &labels);
        }
        let _ = write!(
            out,
            "# HELP recsys_model_age_seconds Seconds since the live model was trained.\n\
             # TYPE recsys_model_age_seconds gauge\n\
             recsys_model_age_seconds {}\n\
             # HELP recsys_model_info The live model (value 1).\n\
             # TYPE recsys_model_info gauge\n\
             recsys_model_info{{fingerprint=\"{}\",source=\"{}\"}} 1\n\
             # HELP recsys_model_items Items the live model knows.\n\
             # TYPE recsys_model_items gauge\n\
             recsys_model_items {}\n",
            model.age_seconds,
            label(model.fingerprint),
            label(model.source),
            model.items
        );
        out.push_str(
            "# HELP recsys_retrain_duration_seconds Wall-clock seconds of each retrain.\n\
             # TYPE recsys_retrain_duration_seconds histogram\n",
        );
        self.retrain
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write(&mut out, "recsys_retrain_duration_seconds", "");
        let failures = *self
            .retrain_failures
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        let _ = write!(
            out,
            "# HELP recsys_retrain_failures_total Retrains that failed (the old model stayed).\n\
             # TYPE recsys_retrain_failures_total counter\n\
             recsys_retrain_failures_total {failures}\n"
        );
        out.push_str(
            "# HELP recsys_fold_in_duration_seconds Folding a signed-in user's history in and \
             scoring, per request.\n\
             # TYPE recsys_fold_in_duration_seconds histogram\n",
        );
        self.fold_in
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .write(&mut out, "recsys_fold_in_duration_seconds", "");
        out
    }
}

/// What `/metrics` reports about the live model.
#[derive(Clone, Copy, Debug)]
pub struct ModelGauge<'a> {
    /// Seconds since it was trained.
    pub age_seconds: i64,
    /// Its fingerprint.
    pub fingerprint: &'a str,
    /// Where it came from (see [`crate::model::ModelStatus`]).
    pub source: &'a str,
    /// Items it knows.
    pub items: usize,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histograms_are_cumulative_and_counts_add_up() {
        let metrics = Metrics::default();
        for ms in [0.2, 3.0, 3.0, 40.0, 20_000.0] {
            metrics.observe_request(
                "GET",
                "/api/movies/{id}",
                200,
                Duration::from_secs_f64(ms / 1000.0),
            );
        }
        metrics.observe_request("GET", "/api/movies/{id}", 404, Duration::from_millis(1));
        let text = metrics.render(&ModelGauge {
            age_seconds: 5,
            fingerprint: "abc",
            source: "artifact",
            items: 12,
        });
        let line = |prefix: &str| {
            text.lines()
                .find(|l| l.starts_with(prefix))
                .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
                .rsplit(' ')
                .next()
                .unwrap()
                .to_string()
        };
        let route = "route=\"/api/movies/{id}\",method=\"GET\"";
        assert_eq!(
            line(&format!(
                "recsys_http_requests_total{{{route},status=\"200\"}}"
            )),
            "5"
        );
        assert_eq!(
            line(&format!(
                "recsys_http_requests_total{{{route},status=\"404\"}}"
            )),
            "1"
        );
        let bucket = |le: &str| {
            line(&format!(
                "recsys_http_request_duration_seconds_bucket{{{route},le=\"{le}\"}}"
            ))
        };
        assert_eq!(bucket("0.0005"), "1");
        assert_eq!(
            bucket("0.001"),
            "2",
            "the 1 ms request is in the 1 ms bucket"
        );
        assert_eq!(bucket("0.005"), "4");
        assert_eq!(bucket("10"), "5", "the 20 s request is above every bound");
        assert_eq!(bucket("+Inf"), "6");
        assert_eq!(
            line(&format!(
                "recsys_http_request_duration_seconds_count{{{route}}}"
            )),
            "6"
        );
        assert_eq!(line("recsys_model_age_seconds"), "5");
        assert!(text.contains("recsys_model_info{fingerprint=\"abc\",source=\"artifact\"} 1"));
        assert_eq!(line("recsys_retrain_duration_seconds_count"), "0");
    }

    #[test]
    fn label_values_are_escaped() {
        assert_eq!(label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
    }
}
