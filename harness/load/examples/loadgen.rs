//! The harness's load generator on one URL, for `ci/bench-load`:
//! `loadgen URL USERS SECONDS [goose|direct]` prints requests, req/s and
//! latency percentiles. `goose` (default) is the generator the load trials
//! use; `direct` drives the same recording with plain reqwest clients, to show
//! what goose's scheduling costs.

use std::time::Duration;

use goose::prelude::GooseMethod;
use url::Url;
use wikiharness_harness::target::LoadSettings;
use wikiharness_load::Recorders;
use wikiharness_load::attack::{self, Call, Plan, Step, step_fn};

// One core, one thread: the benchmark pins the generator to a core.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if !(4..=5).contains(&args.len()) {
        eprintln!("usage: loadgen URL USERS SECONDS [goose|direct]");
        std::process::exit(2);
    }
    let url = Url::parse(&args[1]).unwrap_or_else(|e| {
        eprintln!("error: {}: {e}", args[1]);
        std::process::exit(2)
    });
    let users: usize = args[2].parse().unwrap_or(32);
    let secs: u64 = args[3].parse().unwrap_or(10);
    let host = format!(
        "{}://{}",
        url.scheme(),
        url.host_str().unwrap_or("127.0.0.1")
    ) + &url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().to_owned();
    let settings = LoadSettings {
        users,
        duration: Duration::from_secs(secs),
        max_rps: None,
    };
    let rec = Recorders::new(&settings);
    if args.get(4).map(String::as_str) == Some("direct") {
        direct(url, users, Duration::from_secs(secs), rec).await;
        return;
    }
    let r = rec.clone();
    let get = step_fn(move |u| {
        let (r, path) = (r.clone(), path.clone());
        Box::pin(async move {
            let call = Call {
                endpoint: "static",
                method: GooseMethod::Get,
                path: &path,
                form: None,
                headers: &[],
            };
            attack::timed(u, &r, call, |s, _| s == 200).await?;
            Ok(())
        })
    });
    let plan = Plan {
        scenario: "bench".into(),
        host,
        settings,
        steps: vec![Step {
            name: "get".into(),
            weight: 1,
            function: get,
            on_start: false,
        }],
    };
    let s = attack::run(plan, rec).await.unwrap_or_else(|e| {
        eprintln!("error: {e}");
        std::process::exit(1)
    });
    print(&s);
}

/// The same requests and recording without goose: one reqwest client and one
/// loop per user.
async fn direct(url: Url, users: usize, duration: Duration, rec: std::sync::Arc<Recorders>) {
    let start = std::time::Instant::now();
    let tasks: Vec<_> = (0..users)
        .map(|_| {
            let (url, rec) = (url.clone(), rec.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::builder()
                    .no_proxy()
                    .build()
                    .expect("client");
                while start.elapsed() < duration {
                    let t0 = std::time::Instant::now();
                    let status = match client.get(url.clone()).send().await {
                        Ok(r) => {
                            let s = r.status().as_u16();
                            let _ = r.bytes().await;
                            Some(s)
                        }
                        Err(_) => None,
                    };
                    rec.record("static", t0.elapsed(), status, None, status != Some(200));
                }
            })
        })
        .collect();
    for t in tasks {
        let _ = t.await;
    }
    let s = rec.summary("direct", start.elapsed().as_secs_f64());
    print(&s);
}

/// The figures `ci/bench-load` reads.
fn print(s: &wikiharness_record::load::LoadSummary) {
    println!("requests {}", s.total.requests);
    println!("rps {:.1}", s.total.throughput_rps);
    println!("errors {}", s.total.errors);
    println!(
        "p50_ms {:.3} p99_ms {:.3}",
        s.total.raw.p50, s.total.raw.p99
    );
}
