package io.dlrhub.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A TCP pass-through to a real server that a test can cut and restore, to take a database
 * away from dlr-hub the way a network failure or a database restart does, or partition silently.
 */
public final class TcpProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final List<Link> open = new CopyOnWriteArrayList<>();
    /** Client sides of links lost in a partition: open, silent, closed only with the proxy. */
    private final List<Socket> orphaned = new CopyOnWriteArrayList<>();

    private volatile ServerSocket server;
    private int port;
    /** False during a silent partition: new connections are accepted and never answered. */
    private boolean flowing = true;

    /** One proxied connection: what the client sees, and our connection to the server. */
    private record Link(Socket client, Socket upstream) {}

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
    }

    public synchronized TcpProxy start() throws IOException {
        ServerSocket socket = new ServerSocket();
        socket.setReuseAddress(true);
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        port = socket.getLocalPort();
        server = socket;
        Thread acceptor = new Thread(() -> accept(socket), "tcp-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return this;
    }

    public int port() {
        return port;
    }

    /** Refuses new connections and breaks every open one. */
    public synchronized void cut() throws IOException {
        if (server != null) {
            server.close();
            server = null;
        }
        for (Link link : open) {
            link.client().close();
            link.upstream().close();
        }
        open.clear();
    }

    /**
     * A silent partition, as when the database host dies or a firewall drops its connection state:
     * the server side of every open connection is gone, but the client is never told (no reset,
     * no close): its connections stay open and nothing ever answers on them again. New connections
     * are accepted and get no answer until {@link #heal()}.
     */
    public synchronized void partition() throws IOException {
        flowing = false;
        for (Link link : open) {
            orphaned.add(link.client());
            link.upstream().close();
        }
        open.clear();
    }

    /** New connections reach the server again; connections lost in the partition stay dead. */
    public synchronized void heal() {
        flowing = true;
        notifyAll();
    }

    private synchronized void awaitFlowing() throws IOException {
        while (!flowing) {
            try {
                wait();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    private void accept(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                awaitFlowing();
                Socket upstream = new Socket(targetHost, targetPort);
                Link link = new Link(client, upstream);
                synchronized (this) {
                    // accepted just before a cut: cut() did not see it, so it must not live on
                    if (server != socket) {
                        client.close();
                        upstream.close();
                        return;
                    }
                    open.add(link);
                }
                pump(link, client, upstream);
                pump(link, upstream, client);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void pump(Link link, Socket from, Socket to) {
        Thread thread = new Thread(
                () -> {
                    byte[] buffer = new byte[8192];
                    try {
                        InputStream in = from.getInputStream();
                        OutputStream out = to.getOutputStream();
                        int read;
                        while ((read = in.read(buffer)) >= 0) {
                            out.write(buffer, 0, read);
                            out.flush();
                        }
                    } catch (IOException ignored) {
                        // the other side or the test closed the connection
                    } finally {
                        close(link.upstream());
                        if (!orphaned.contains(link.client())) {
                            close(link.client());
                        }
                    }
                },
                "tcp-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private static void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        heal();
        cut();
        orphaned.forEach(TcpProxy::close);
        orphaned.clear();
    }
}
