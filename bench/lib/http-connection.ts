import net from 'node:net';

/**
 * One keep-alive HTTP/1.1 connection that sends a request and waits for its response, nothing else: no
 * pipelining. It reads Content-Length and `Transfer-Encoding: chunked` bodies (Confide streams large
 * responses such as $everything). It costs the load generator a fraction of the CPU of node:http's client,
 * which matters when it shares two cores with the server.
 */
export class HttpConnection {
  private socket: net.Socket;
  private buf: Buffer = Buffer.alloc(0);
  private pending?: { resolve: (r: HttpReply) => void; reject: (e: Error) => void };
  private readonly ready: Promise<void>;
  // Parser state of the response being read.
  private status = 0;
  private contentLength = -1;
  private chunked = false;
  private inBody = false;
  private parts: Buffer[] = [];

  constructor(
    private readonly host: string,
    private readonly port: number,
  ) {
    this.socket = net.connect({ host, port, noDelay: true });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk: Buffer) => this.onData(chunk));
    this.socket.on('error', (e) => this.fail(e));
    this.socket.on('close', () => this.fail(new Error('connection closed by the server')));
  }

  async request(method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<HttpReply> {
    await this.ready;
    if (this.pending) throw new Error('one request at a time per connection');
    let head = `${method} ${path} HTTP/1.1\r\nHost: ${this.host}:${this.port}\r\n`;
    for (const [k, v] of Object.entries(headers)) head += `${k}: ${v}\r\n`;
    if (body) head += `Content-Length: ${body.length}\r\n`;
    head += '\r\n';
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      if (body) this.socket.write(Buffer.concat([Buffer.from(head, 'latin1'), body]));
      else this.socket.write(head, 'latin1');
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    for (;;) {
      if (!this.inBody) {
        const end = this.buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = this.buf.toString('latin1', 0, end);
        this.status = Number(head.slice(9, 12));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
        this.chunked = /\r\ntransfer-encoding:\s*chunked/i.test(head);
        this.contentLength = length ? Number(length[1]) : -1;
        if (!length && !this.chunked) return this.fail(new Error(`response without Content-Length or chunked body: ${head.slice(0, 200)}`));
        this.buf = this.buf.subarray(end + 4);
        this.inBody = true;
        this.parts = [];
      }
      if (!this.chunked) {
        if (this.buf.length < this.contentLength) return;
        const body = this.buf.subarray(0, this.contentLength);
        this.buf = this.buf.subarray(this.contentLength);
        return this.done(body);
      }
      // Chunked: <hex size>\r\n<data>\r\n ... 0\r\n\r\n (no trailers expected).
      const eol = this.buf.indexOf('\r\n');
      if (eol < 0) return;
      const size = parseInt(this.buf.toString('latin1', 0, eol), 16);
      if (Number.isNaN(size)) return this.fail(new Error('bad chunk size'));
      if (size === 0) {
        if (this.buf.length < eol + 4) return;
        this.buf = this.buf.subarray(eol + 4);
        return this.done(Buffer.concat(this.parts));
      }
      if (this.buf.length < eol + 2 + size + 2) return;
      this.parts.push(this.buf.subarray(eol + 2, eol + 2 + size));
      this.buf = this.buf.subarray(eol + 2 + size + 2);
    }
  }

  private done(body: Buffer): void {
    this.inBody = false;
    this.parts = [];
    const p = this.pending;
    this.pending = undefined;
    p?.resolve({ status: this.status, body });
  }

  private fail(e: Error): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(e);
  }
}

export interface HttpReply {
  status: number;
  body: Buffer;
}
