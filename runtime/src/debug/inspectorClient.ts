// The Chrome DevTools Protocol as the V8 inspector of the debuggee speaks it: numbered requests
// with promised answers, and events by method name.
import { WebSocketConnection } from "./webSocket";

export type ProtocolParams = Record<string, unknown>;
export type ProtocolEventListener = (params: ProtocolParams) => void;

interface PendingRequest {
  method: string;
  resolve(result: ProtocolParams): void;
  reject(error: Error): void;
}

/** An error the inspector answered with (an evaluation that threw is not one: it is a result). */
export class InspectorError extends Error {
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(`${method}: ${message}`);
    this.name = "InspectorError";
  }
}

export class InspectorClient {
  private nextId = 1;
  private readonly pending = new Map<number, PendingRequest>();
  private readonly listeners = new Map<string, Set<ProtocolEventListener>>();
  private readonly closeListeners = new Set<() => void>();
  private connection: WebSocketConnection | undefined;

  static async connect(url: string): Promise<InspectorClient> {
    const client = new InspectorClient();
    client.connection = await WebSocketConnection.connect(url, {
      onMessage: (text) => client.receive(text),
      onClose: () => client.closed(),
    });
    return client;
  }

  get isOpen(): boolean {
    return this.connection?.isOpen ?? false;
  }

  send<T = ProtocolParams>(method: string, params: ProtocolParams = {}): Promise<T> {
    const connection = this.connection;
    if (connection === undefined || !connection.isOpen) return Promise.reject(new InspectorError(method, "the debuggee is gone"));
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { method, resolve: resolve as (result: ProtocolParams) => void, reject });
      connection.send(JSON.stringify({ id, method, params }));
    });
  }

  on(method: string, listener: ProtocolEventListener): void {
    let set = this.listeners.get(method);
    if (set === undefined) this.listeners.set(method, (set = new Set()));
    set.add(listener);
  }

  onClose(listener: () => void): void {
    this.closeListeners.add(listener);
  }

  close(): void {
    this.connection?.close();
  }

  private receive(text: string): void {
    const message = JSON.parse(text) as { id?: number; method?: string; params?: ProtocolParams; result?: ProtocolParams; error?: { message: string } };
    if (message.id !== undefined) {
      const request = this.pending.get(message.id);
      if (request === undefined) return;
      this.pending.delete(message.id);
      if (message.error) request.reject(new InspectorError(request.method, message.error.message));
      else request.resolve(message.result ?? {});
      return;
    }
    if (message.method === undefined) return;
    for (const listener of this.listeners.get(message.method) ?? []) listener(message.params ?? {});
  }

  private closed(): void {
    for (const [, request] of this.pending) request.reject(new InspectorError(request.method, "the debuggee is gone"));
    this.pending.clear();
    for (const listener of this.closeListeners) listener();
  }
}
