package dev.spectrum.sql.testing;

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
 * A TCP forwarder on a loopback port in front of PostgreSQL, so a test can take the database
 * away from the service (close every connection and stop listening) and bring it back on the
 * same port, or cut the network while a COMMIT is on its way ({@link #cutAtNextCommit()}). The one
 * proxy of the project's tests (sql's test-jar: ingest's outage and connection-fault tests, cli's
 * ServeTest).
 */
public final class TcpProxy implements AutoCloseable {

    private final int targetPort;
    private final int port;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private volatile boolean cutAtCommit;
    private volatile boolean swallowReplies;

    public TcpProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.port = freePortOutsideTheEphemeralRange();
        start();
    }

    /**
     * A free loopback port below Linux's ephemeral range (32768-60999). A port the kernel handed
     * out could, once the proxy stops, be taken as the source port of some other outgoing
     * connection (a JDBC client's, on a busy machine), and the restart would find it in use.
     */
    private static int freePortOutsideTheEphemeralRange() throws IOException {
        var random = new java.util.Random();
        for (int attempt = 0; attempt < 200; attempt++) {
            int candidate = 20000 + random.nextInt(12000);
            try (var probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), candidate));
                return candidate;
            } catch (IOException taken) {
                // try another
            }
        }
        throw new IOException("no free loopback port between 20000 and 32000 for the test proxy");
    }

    public int port() {
        return port;
    }

    public synchronized void start() throws IOException {
        // Right after stop() the port can still be held for a moment: closing a ServerSocket
        // that another thread is blocked in accept() on releases it only when that thread has
        // left accept(). Try again, on a new socket, for up to 2 s (seen once in a run of
        // ConnectionFaultsTest: "Address already in use").
        long deadline = System.nanoTime() + 2_000_000_000L;
        ServerSocket listening;
        while (true) {
            listening = new ServerSocket();
            listening.setReuseAddress(true);
            try {
                listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                break;
            } catch (java.net.BindException e) {
                listening.close();
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(20);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        server = listening;
        ServerSocket bound = listening;
        Thread accept = new Thread(() -> acceptLoop(bound), "tcp-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    /** The database is gone: every open connection drops and new ones are refused. */
    public synchronized void stop() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
    }

    /**
     * The next COMMIT a client sends reaches the server, but its answer never comes back: the
     * proxy drops every reply from then on and, a moment later, every connection (a network cut
     * while the commit is on its way). New connections work again afterwards.
     */
    public void cutAtNextCommit() {
        cutAtCommit = true;
    }

    @Override
    public void close() {
        stop();
    }

    private void acceptLoop(ServerSocket listening) {
        while (!listening.isClosed()) {
            try {
                Socket client = listening.accept();
                Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(upstream);
                if (listening.isClosed()) {
                    // stop() ran while this connection was being set up: it is gone too
                    client.close();
                    upstream.close();
                    return;
                }
                pump(client, upstream, true);
                pump(upstream, client, false);
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pump(Socket from, Socket to, boolean toServer) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) != -1) {
                    if (!toServer && swallowReplies) {
                        continue;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                    if (toServer && cutAtCommit && contains(buffer, n, COMMIT)) {
                        cutAtCommit = false;
                        swallowReplies = true;
                        Thread cut = new Thread(this::cutNow, "tcp-proxy-cut");
                        cut.setDaemon(true);
                        cut.start();
                    }
                }
            } catch (IOException ignored) {
                // one side closed
            } finally {
                try {
                    from.close();
                    to.close();
                } catch (IOException ignored) {
                    // closed
                }
            }
        }, "tcp-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static final byte[] COMMIT = "COMMIT".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private void cutNow() {
        try {
            Thread.sleep(300); // the server has the COMMIT and commits; its answer is swallowed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Socket s : sockets) {
            try {
                s.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        sockets.clear();
        swallowReplies = false;
    }

    private static boolean contains(byte[] buffer, int length, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (buffer[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }
}
