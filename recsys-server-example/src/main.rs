//! `recsys-server`: reads the settings, opens the database (importing MovieLens-100K and
//! training on the first start), and serves the movie app.

use std::net::SocketAddr;
use std::time::Duration;

use recsys_server::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("recsys-server: error: {e}");
            std::process::exit(2);
        }
    };
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn"));
    let logs = tracing_subscriber::fmt().with_env_filter(filter);
    if config.json_logs {
        logs.json().with_current_span(true).init();
    } else {
        logs.init();
    }
    if let Err(e) = run(config).await {
        eprintln!("recsys-server: error: {e}");
        std::process::exit(1);
    }
}

async fn run(config: Config) -> Result<(), Box<dyn std::error::Error>> {
    let addr = config.addr;
    tracing::info!(?config, "starting");
    let state = recsys_server::start(config).await?;
    if state.config.background_training {
        tokio::spawn(recsys_server::model::background_trainer(
            state.clone(),
            Duration::from_secs(60),
        ));
    }
    if state.config.model_poll_seconds > 0 {
        tokio::spawn(recsys_server::model::model_poller(
            state.clone(),
            Duration::from_secs(state.config.model_poll_seconds),
        ));
    }
    let app = recsys_server::app(state);
    let listener = tokio::net::TcpListener::bind(addr).await?;
    println!(
        "recsys-server: listening on http://{}/",
        listener.local_addr()?
    );
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await?;
    Ok(())
}

/// Ctrl-C or SIGTERM (systemd's and Docker's stop): stop accepting, finish open requests.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {}
        () = terminate => {}
    }
}
