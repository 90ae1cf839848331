//! The baseline: a bare actix-web server, configured like communityd's
//! (two workers), whose one handler serialises the same JSON that the
//! authenticated GET returns, with no token, no store and no middleware.

use actix_web::{web, App, HttpResponse, HttpServer};
use serde_json::Value;
use std::net::{SocketAddr, TcpListener};

pub struct Bare {
    pub addr: SocketAddr,
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

async fn same_json(body: web::Data<Value>) -> HttpResponse {
    HttpResponse::Ok().json(body.get_ref())
}

impl Bare {
    pub fn start(body: Value) -> Bare {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("address");
        let (handle_tx, handle_rx) = std::sync::mpsc::channel();
        let thread = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let body = web::Data::new(body);
                let server = HttpServer::new(move || {
                    App::new()
                        .app_data(body.clone())
                        .default_service(web::to(same_json))
                })
                .workers(2)
                .listen(listener)
                .expect("listen")
                .run();
                handle_tx.send(server.handle()).expect("handle");
                server.await.expect("bare server");
            })
        });
        Bare {
            addr,
            handle: handle_rx.recv().expect("bare server started"),
            thread: Some(thread),
        }
    }
}

impl Drop for Bare {
    fn drop(&mut self) {
        crate::server::block_on(self.handle.stop(true));
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
