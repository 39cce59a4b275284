//! A service outside the cluster, as the harness stands it in: a small HTTP
//! server on loopback that serves one file, and remembers who fetched it.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Serves one file at `/<name>` on 127.0.0.1 until dropped.
pub struct OutsideService {
    /// The file's URL.
    pub url: String,
    fetches: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl OutsideService {
    /// Starts serving `bytes` (of type `mime`) as `name` on a free port.
    pub async fn serve(name: &str, mime: &str, bytes: Vec<u8>) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let url = format!("http://{}/{name}", listener.local_addr()?);
        let fetches = Arc::new(Mutex::new(Vec::new()));
        let (seen, path, mime) = (fetches.clone(), format!("/{name}"), mime.to_owned());
        let task = tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let (seen, path, mime, bytes) =
                    (seen.clone(), path.clone(), mime.clone(), bytes.clone());
                tokio::spawn(async move {
                    let head = read_head(&mut socket).await;
                    let mut lines = head.lines();
                    let request = lines.next().unwrap_or_default().to_owned();
                    let agent = lines
                        .find_map(|l| {
                            l.strip_prefix("User-Agent:")
                                .or_else(|| l.strip_prefix("user-agent:"))
                        })
                        .unwrap_or("no User-Agent")
                        .trim()
                        .to_owned();
                    seen.lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(format!("{request} ({agent})"));
                    let found = request.split(' ').nth(1) == Some(path.as_str());
                    let (status, body): (&str, &[u8]) = if found {
                        ("200 OK", &bytes)
                    } else {
                        ("404 Not Found", b"not here")
                    };
                    let answer = format!(
                        "HTTP/1.1 {status}\r\nContent-Type: {mime}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                        body.len()
                    );
                    let _ = socket.write_all(answer.as_bytes()).await;
                    let _ = socket.write_all(body).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        Ok(OutsideService { url, fetches, task })
    }

    /// The requests it answered: request line and User-Agent.
    pub fn fetches(&self) -> Vec<String> {
        self.fetches
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl Drop for OutsideService {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// The request head (up to the blank line, at most 16 KiB).
async fn read_head(socket: &mut tokio::net::TcpStream) -> String {
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 16 * 1024 {
        match socket.read(&mut buf).await {
            Ok(0) | Err(_) => break,
            Ok(n) => head.extend_from_slice(&buf[..n]),
        }
    }
    String::from_utf8_lossy(&head).into_owned()
}
