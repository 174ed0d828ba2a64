//! A small HTTP/1.1 client for the server, over one kept-alive connection: what the tests
//! and the load generator use to act as Meta and as a records sender.

use crate::signature::{SIGNATURE_HEADER, sign};
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http1::SendRequest;
use std::net::SocketAddr;

/// One connection to the server.
pub struct Conn {
    send: SendRequest<Full<Bytes>>,
    host: String,
}

/// A response: status and body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// HTTP status code.
    pub status: u16,
    /// The body.
    pub body: Bytes,
}

impl Answer {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

impl Conn {
    /// Connect to `addr`.
    pub async fn connect(addr: SocketAddr) -> std::io::Result<Conn> {
        let tcp = tokio::net::TcpStream::connect(addr).await?;
        tcp.set_nodelay(true)?;
        let (send, conn) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(tcp))
            .await
            .map_err(std::io::Error::other)?;
        tokio::spawn(async move {
            let _ = conn.await;
        });
        Ok(Conn {
            send,
            host: addr.to_string(),
        })
    }

    /// Send a request; headers are `(name, value)` pairs.
    pub async fn request(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> std::io::Result<Answer> {
        let mut req = hyper::Request::builder()
            .method(method)
            .uri(path)
            .header("host", &self.host);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let req = req
            .body(Full::new(body.into()))
            .map_err(std::io::Error::other)?;
        self.send.ready().await.map_err(std::io::Error::other)?;
        let res = self
            .send
            .send_request(req)
            .await
            .map_err(std::io::Error::other)?;
        let status = res.status().as_u16();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(std::io::Error::other)?
            .to_bytes();
        Ok(Answer { status, body })
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> std::io::Result<Answer> {
        self.request("GET", path, &[], Bytes::new()).await
    }

    /// `POST /webhook` signed with `secret`, as Meta sends it.
    pub async fn webhook(
        &mut self,
        secret: &[u8],
        body: impl Into<Bytes>,
    ) -> std::io::Result<Answer> {
        let body = body.into();
        let sig = sign(secret, &body);
        let headers = [
            ("content-type", "application/json"),
            (SIGNATURE_HEADER, sig.as_str()),
        ];
        self.request("POST", "/webhook", &headers, body).await
    }

    /// `POST /records` with a bearer token.
    pub async fn records(
        &mut self,
        token: &str,
        body: impl Into<Bytes>,
    ) -> std::io::Result<Answer> {
        let auth = format!("Bearer {token}");
        let headers = [
            ("content-type", "application/x-ndjson"),
            ("authorization", auth.as_str()),
        ];
        self.request("POST", "/records", &headers, body).await
    }
}

/// A webhook payload as Meta sends it for one inbound text message: message `id` from
/// user `wa_id` (named after it) at `ts` (UTC seconds) to business number
/// `phone_number_id`.
pub fn text_message(id: &str, wa_id: &str, ts: i64, phone_number_id: &str) -> String {
    format!(
        r#"{{"object":"whatsapp_business_account","entry":[{{"id":"102290129340398","changes":[{{"value":{{"messaging_product":"whatsapp","metadata":{{"display_phone_number":"15550783881","phone_number_id":"{phone_number_id}"}},"contacts":[{{"profile":{{"name":"User {wa_id}"}},"wa_id":"{wa_id}"}}],"messages":[{{"from":"{wa_id}","id":"{id}","timestamp":"{ts}","text":{{"body":"Hello, is the summer offer still on?"}},"type":"text"}}]}},"field":"messages"}}]}}]}}"#
    )
}
