//! For `scripts/bench-live.sh`: the in-process figures of live progress and webhooks.
//!
//! 1. Events through the bus ([`LocalBus`]) to SUBSCRIBERS subscribers of one scan: EVENTS
//!    events then a terminal one are published as fast as possible while every subscriber reads
//!    them all; prints published events/s and delivered events/s (events × subscribers).
//! 2. Webhook deliveries to a fast receiver on loopback (an axum server answering 200): DELIVERIES
//!    deliveries queued in a new store, sent by the real dispatcher (signing, the SSRF-checked
//!    resolver, the durable queue) to one webhook (in order, one at a time) and then spread over
//!    8 webhooks; prints deliveries/s for each.
//!
//! Usage: `live_bench [SUBSCRIBERS=1000] [EVENTS=2000] [DELIVERIES=500]`.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::json;

use securescan_server::events::{EventBus, LocalBus};
use securescan_server::webhooks::Dispatcher;
use securescan_store::{NewWebhook, Store, WebhookRecord, WebhookStore};

fn arg(n: usize, default: usize) -> usize {
    std::env::args()
        .nth(n)
        .and_then(|a| a.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let subscribers = arg(1, 1000);
    let events = arg(2, 2000);
    let deliveries = arg(3, 500);
    bus(subscribers, events).await?;
    webhooks(deliveries).await?;
    Ok(())
}

async fn bus(subscribers: usize, events: usize) -> Result<(), Box<dyn std::error::Error>> {
    let bus = LocalBus::new();
    // Each subscriber's last event id: the publisher waits for the slowest after each batch, so
    // every subscriber receives every event (the bus keeps 200; a subscriber further behind would
    // skip evicted ones, never the terminal one).
    let progress: Arc<Vec<AtomicU64>> =
        Arc::new((0..subscribers).map(|_| AtomicU64::new(0)).collect());
    let readers: Vec<_> = (0..subscribers)
        .map(|n| {
            let mut subscription = bus.subscribe("bench");
            let progress = progress.clone();
            tokio::spawn(async move {
                let (mut after, mut seen) = (0, 0usize);
                loop {
                    let fresh = subscription
                        .next_after(after, Duration::from_secs(30))
                        .await;
                    for event in &fresh {
                        after = event.id;
                        seen += 1;
                        if event.is_terminal() {
                            progress[n].store(after, Ordering::Release);
                            return seen;
                        }
                    }
                    progress[n].store(after, Ordering::Release);
                }
            })
        })
        .collect();
    const BATCH: usize = 100;
    let started = Instant::now();
    let mut published = 0u64;
    for batch in (0..events).step_by(BATCH) {
        for n in batch..(batch + BATCH).min(events) {
            bus.publish(
                "bench",
                "scanner.complete",
                json!({"name": "semgrep", "n": n}),
            );
            published += 1;
        }
        while progress
            .iter()
            .any(|p| p.load(Ordering::Acquire) < published)
        {
            tokio::task::yield_now().await;
        }
    }
    bus.publish("bench", "scan.complete", json!({"findings_count": 0}));
    let mut delivered = 0usize;
    for reader in readers {
        delivered += reader.await?;
    }
    let all = started.elapsed();
    writeln!(
        std::io::stdout(),
        "bus: {} events to each of {subscribers} subscribers: {delivered} deliveries in {:.2} s = {:.0} events/s delivered ({:.0} events/s published, each reaching every subscriber)",
        events + 1,
        all.as_secs_f64(),
        delivered as f64 / all.as_secs_f64(),
        (events + 1) as f64 / all.as_secs_f64()
    )?;
    Ok(())
}

/// A receiver answering 200 to every POST; counts them.
async fn receiver() -> Result<(String, Arc<AtomicUsize>), Box<dyn std::error::Error>> {
    let received = Arc::new(AtomicUsize::new(0));
    let counter = received.clone();
    let app = axum::Router::new().route(
        "/hook",
        axum::routing::post(move || {
            counter.fetch_add(1, Ordering::Relaxed);
            async { "ok" }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok((format!("http://{address}/hook"), received))
}

async fn webhooks(deliveries: usize) -> Result<(), Box<dyn std::error::Error>> {
    let (url, received) = receiver().await?;
    for webhooks in [1usize, 8] {
        let dir = tempfile::tempdir()?;
        let store = Arc::new(Store::open(&dir.path().join("bench.db"))?);
        let ids: Vec<String> = (0..webhooks).map(|n| format!("webhook-{n}")).collect();
        for id in &ids {
            store.create_webhook(&NewWebhook {
                record: WebhookRecord {
                    id: id.clone(),
                    name: id.clone(),
                    url: url.clone(),
                    event_filter: vec!["webhook.test".into()],
                    enabled: true,
                    created_at: "2026-01-01T00:00:00Z".into(),
                    updated_at: "2026-01-01T00:00:00Z".into(),
                    created_by: None,
                },
                secret: "bench-secret".into(),
            })?;
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_secs() as i64;
        for n in 0..deliveries {
            let payload = json!({"message": "bench", "n": n}).to_string();
            store.enqueue_delivery(
                &ids[n % webhooks],
                "webhook.test",
                &payload,
                "2026-01-01T00:00:00Z",
                now,
            )?;
        }
        received.store(0, Ordering::Relaxed);
        let dispatcher = Arc::new(Dispatcher::new(store.clone(), true)?);
        let started = Instant::now();
        let running = tokio::spawn(dispatcher.clone().run());
        loop {
            let done = received.load(Ordering::Relaxed);
            if done >= deliveries {
                break;
            }
            if started.elapsed() > Duration::from_secs(600) {
                return Err(format!("only {done} of {deliveries} delivered in 10 minutes").into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let elapsed = started.elapsed();
        running.abort();
        writeln!(
            std::io::stdout(),
            "webhooks: {deliveries} deliveries to {webhooks} webhook(s) on one loopback receiver: {:.2} s = {:.0} deliveries/s",
            elapsed.as_secs_f64(),
            deliveries as f64 / elapsed.as_secs_f64()
        )?;
    }
    Ok(())
}
