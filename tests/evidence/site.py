"""A small website on loopback for capture tests: text, images, a redirect, a slow and an oversized page."""

from __future__ import annotations

import http.server
import io
import socketserver
import threading
import time

from PIL import Image

POST_HTML = """<!doctype html><html lang="ja"><head><meta charset="utf-8"><title>投稿 12345</title>
<link rel="canonical" href="{base}/status/12345">
<meta name="author" content="山田太郎">
<script type="application/ld+json">{{"@type":"SocialMediaPosting","datePublished":"2026-03-01T10:00:00+09:00",
"author":{{"name":"山田太郎","alternateName":"@yamada_taro"}}}}</script></head>
<body><h1>誹謗中傷の投稿の例</h1><p>これはテスト用のページです。</p>
<img src="/red.png" width="80" height="40">
<time datetime="2026-03-01T10:00:00+09:00">2026年3月1日</time></body></html>"""


def red_png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (80, 40), (200, 0, 0)).save(buf, format="PNG")
    return buf.getvalue()


class Handler(http.server.BaseHTTPRequestHandler):
    slow_seconds = 5.0

    def _send(
        self, status: int, body: bytes, ctype: str = "text/html; charset=utf-8", **headers: str
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers.items():
            self.send_header(k.replace("_", "-"), v)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        base = f"http://127.0.0.1:{self.server.server_address[1]}"
        path = self.path
        if path in ("/status/12345", "/post"):
            self._send(200, POST_HTML.format(base=base).encode())
        elif path == "/red.png":
            self._send(200, red_png(), "image/png")
        elif path == "/go":
            self._send(302, b"", Location="/status/12345")
        elif path == "/to-metadata":
            self._send(302, b"", Location="http://169.254.169.254/latest/meta-data/")
        elif path == "/to-file":
            self._send(302, b"", Location="file:///etc/passwd")
        elif path == "/image-from-metadata":
            self._send(200, b'<html><body><img src="http://169.254.169.254/x.png">ok</body></html>')
        elif path == "/slow":
            time.sleep(self.slow_seconds)
            self._send(200, b"<html><body>slow</body></html>")
        elif path == "/big":
            self._send(200, b"<html><body>" + b"x" * (3 * 1024 * 1024) + b"</body></html>")
        elif path == "/many":
            imgs = "".join(f'<img src="/red.png?{i}">' for i in range(30))
            self._send(200, f"<html><body>{imgs}</body></html>".encode())
        else:
            self._send(404, b"not found")

    def log_message(self, *args: object) -> None:
        pass


class Site:
    def __enter__(self) -> Site:
        socketserver.ThreadingTCPServer.daemon_threads = True
        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
