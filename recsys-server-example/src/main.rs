//! `recsys-server`: reads the settings, opens the database (importing MovieLens-100K and
//! training on the first start), and serves the movie app.

use std::net::SocketAddr;

use recsys_server::config::Config;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,tower_http=info,sqlx=warn")),
        )
        .init();
    if let Err(e) = run().await {
        eprintln!("recsys-server: error: {e}");
        std::process::exit(1);
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    let config = Config::from_env()?;
    let addr = config.addr;
    let state = recsys_server::start(config).await?;
    tokio::spawn(recsys_server::model::background_trainer(
        state.clone(),
        std::time::Duration::from_secs(60),
    ));
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
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
