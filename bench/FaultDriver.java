// The fault suite's load driver (bench/faults.sh, issue 16): N clients send batches of events
// with client-made event ids to POST /v1/events and retry every request whose answer they did
// not get (timeouts, resets, refused connections, 5xx) with the same body, so the same ids, as a
// real SDK does. Every id the service acknowledged (2xx) is recorded.
//
//   FAULTS_WRITE_KEY=... java -cp "cli/target/lib/*" bench/FaultDriver.java load URL OUT_DIR [clients] [batch] [batches/s per client]
//       (the key comes from the environment, never the command line) runs until OUT_DIR/stop exists, then finishes each client's batch in flight (retrying up
//       to 90 s more) and writes OUT_DIR/sent.tsv (id, batch), OUT_DIR/acked.tsv (id) and
//       OUT_DIR/summary.txt; with OUT_DIR/markers.tsv (epoch ms, label) it reports, per marker,
//       how long after it the service answered 2xx again.
//   java -cp "cli/target/lib/*" bench/FaultDriver.java hog JDBC_URL USER SECONDS SUPERUSER_JDBC_URL VICTIM_ROLE
//       takes every connection the server will give USER (until "too many clients"), ends
//       VICTIM_ROLE's connections and takes the freed slots too, holds them all SECONDS, then
//       lets them go: a database out of connections.
//
// Retry: 100 ms after the first failure, doubling up to 800 ms; Retry-After is checked to be
// present on every 503 but not waited for, so that the time to recover is measured to 0.8 s.

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class FaultDriver {

    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    static final Duration DRAIN = Duration.ofSeconds(90);

    // what happened, over all clients
    static final AtomicLong eventsSent = new AtomicLong();
    static final AtomicLong eventsAcked = new AtomicLong();
    static final AtomicLong requests = new AtomicLong();
    static final AtomicLong retries = new AtomicLong();
    static final AtomicLong eventsRetried = new AtomicLong();
    static final AtomicLong answers503 = new AtomicLong();
    static final AtomicLong answers503WithoutRetryAfter = new AtomicLong();
    static final AtomicLong answersOther5xx = new AtomicLong();
    static final AtomicLong answers4xx = new AtomicLong();
    static final AtomicLong connectionErrors = new AtomicLong();
    static final AtomicLong timeouts = new AtomicLong();
    static final AtomicLong unacknowledged = new AtomicLong();
    static final AtomicInteger batchNumbers = new AtomicInteger();
    static final ConcurrentLinkedQueue<Long> acceptedAt = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> messages503 = new ConcurrentLinkedQueue<>();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "load" -> load(args);
            case "hog" -> hog(args[1], args[2], Integer.parseInt(args[3]), args[4], args[5]);
            default -> throw new IllegalArgumentException("load or hog");
        }
    }

    record Batch(int number, List<String> ids, String json) {}

    static void load(String[] args) throws Exception {
        String url = args[1];
        String key = System.getenv("FAULTS_WRITE_KEY");
        if (key == null || key.isBlank()) {
            throw new IllegalArgumentException("set FAULTS_WRITE_KEY to the write key");
        }
        Path out = Path.of(args[2]);
        int clients = args.length > 3 ? Integer.parseInt(args[3]) : 4;
        int batchSize = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        double perSecond = args.length > 5 ? Double.parseDouble(args[5]) : 5;
        Path stop = out.resolve("stop");
        Files.createDirectories(out);

        List<List<Batch>> sentByClient = new ArrayList<>();
        List<List<String>> ackedByClient = new ArrayList<>();
        List<Thread> threads = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            List<Batch> sent = new ArrayList<>();
            List<String> acked = new ArrayList<>();
            sentByClient.add(sent);
            ackedByClient.add(acked);
            // one HTTP client per SDK instance, each with its own connections
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(2)).build();
            Thread t = new Thread(() -> client(http, url, key, stop, batchSize, perSecond, sent, acked), "client-" + c);
            threads.add(t);
            t.start();
        }
        Files.writeString(out.resolve("started"), Instant.now().toString());
        for (Thread t : threads) {
            t.join();
        }

        StringBuilder sentTsv = new StringBuilder();
        StringBuilder ackedTsv = new StringBuilder();
        for (int c = 0; c < clients; c++) {
            for (Batch b : sentByClient.get(c)) {
                for (String id : b.ids()) {
                    sentTsv.append(id).append('\t').append(b.number()).append('\n');
                }
            }
            for (String id : ackedByClient.get(c)) {
                ackedTsv.append(id).append('\n');
            }
        }
        Files.writeString(out.resolve("sent.tsv"), sentTsv);
        Files.writeString(out.resolve("acked.tsv"), ackedTsv);

        var summary = new StringBuilder();
        summary.append(String.format("events_sent=%d%nevents_acknowledged=%d%nevents_unacknowledged=%d%nrequests=%d%n"
                        + "requests_retried=%d%nevents_retried=%d%nanswers_503=%d%nanswers_503_without_retry_after=%d%n"
                        + "answers_other_5xx=%d%nanswers_4xx=%d%nconnection_errors=%d%ntimeouts=%d%n",
                eventsSent.get(), eventsAcked.get(), unacknowledged.get(), requests.get(), retries.get(), eventsRetried.get(),
                answers503.get(), answers503WithoutRetryAfter.get(), answersOther5xx.get(), answers4xx.get(),
                connectionErrors.get(), timeouts.get()));
        List<Long> accepted = new ArrayList<>(acceptedAt);
        Collections.sort(accepted);
        Path markers = out.resolve("markers.tsv");
        if (Files.exists(markers)) {
            for (String line : Files.readAllLines(markers)) {
                String[] parts = line.split("\t", 2);
                if (parts.length < 2) {
                    continue;
                }
                long at = Long.parseLong(parts[0].trim());
                Long first = accepted.stream().filter(t -> t >= at).findFirst().orElse(null);
                summary.append(String.format("recovery %s=%s%n", parts[1].trim(),
                        first == null ? "none" : String.format("%.2f", (first - at) / 1000.0)));
            }
        }
        messages503.stream().distinct().limit(5).forEach(m -> summary.append("message_503=").append(m).append('\n'));
        Files.writeString(out.resolve("summary.txt"), summary);
        System.out.print(summary);
    }

    static void client(HttpClient http, String url, String key, Path stop, int batchSize, double perSecond,
                       List<Batch> sent, List<String> acked) {
        long interval = (long) (1e9 / perSecond);
        long next = System.nanoTime() + ThreadLocalRandom.current().nextLong(interval);
        while (!Files.exists(stop)) {
            long wait = next - System.nanoTime();
            if (wait > 0) {
                sleep(wait / 1_000_000);
            }
            next = Math.max(next + interval, System.nanoTime());
            Batch batch = batch(batchSize);
            sent.add(batch);
            eventsSent.addAndGet(batch.ids().size());
            if (deliver(http, url, key, batch, stop)) {
                acked.addAll(batch.ids());
                eventsAcked.addAndGet(batch.ids().size());
            } else {
                unacknowledged.addAndGet(batch.ids().size());
            }
        }
    }

    /** Sends the batch until it is acknowledged; false when it never was (drain time over). */
    static boolean deliver(HttpClient http, String url, String key, Batch batch, Path stop) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/v1/events")).timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + key).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(batch.json())).build();
        long backoff = 100;
        Instant giveUp = null;
        for (int attempt = 1; ; attempt++) {
            if (attempt > 1) {
                retries.incrementAndGet();
                eventsRetried.addAndGet(batch.ids().size());
            }
            requests.incrementAndGet();
            try {
                HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                int status = response.statusCode();
                if (status / 100 == 2) {
                    acceptedAt.add(System.currentTimeMillis());
                    return true;
                }
                if (status == 503) {
                    answers503.incrementAndGet();
                    if (response.headers().firstValue("Retry-After").isEmpty()) {
                        answers503WithoutRetryAfter.incrementAndGet();
                    }
                    if (messages503.size() < 1000) {
                        messages503.add(response.body().replaceAll("\\s+", " "));
                    }
                } else if (status / 100 == 5) {
                    answersOther5xx.incrementAndGet();
                } else {
                    // a 4xx is a client bug or a service bug, never a fault to retry through
                    answers4xx.incrementAndGet();
                    System.err.println("HTTP " + status + ": " + response.body());
                    return false;
                }
            } catch (HttpTimeoutException e) {
                timeouts.incrementAndGet();
            } catch (IOException e) {
                connectionErrors.incrementAndGet();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            if (Files.exists(stop)) {
                if (giveUp == null) {
                    giveUp = Instant.now().plus(DRAIN);
                } else if (Instant.now().isAfter(giveUp)) {
                    return false;
                }
            }
            sleep(backoff);
            backoff = Math.min(800, backoff * 2);
        }
    }

    static Batch batch(int size) {
        var rnd = ThreadLocalRandom.current();
        List<String> ids = new ArrayList<>(size);
        var json = new StringBuilder(size * 200).append('[');
        String now = Instant.now().toString();
        for (int i = 0; i < size; i++) {
            String id = UUID.randomUUID().toString();
            ids.add(id);
            int person = rnd.nextInt(5000);
            json.append(i == 0 ? "" : ",").append("{\"event_id\":\"").append(id).append("\",\"type\":\"fault_")
                    .append(1 + rnd.nextInt(5)).append("\",\"user_id\":\"user-").append(person)
                    .append("\",\"timestamp\":\"").append(now).append("\",\"properties\":{\"n\":").append(rnd.nextInt(1000))
                    .append(",\"plan\":\"pro\"},\"context\":{\"country\":\"DE\"}}");
        }
        return new Batch(batchNumbers.incrementAndGet(), ids, json.append(']').toString());
    }

    /**
     * Takes connections until the server refuses (SQLState 53300), then ends the victim role's
     * own connections (through a superuser connection, from the reserved slots) and keeps taking
     * every slot that frees up, so that the victim finds none, for the given time; then lets them go.
     */
    static void hog(String jdbc, String user, int seconds, String superuserJdbc, String victim) throws Exception {
        List<Connection> held = new ArrayList<>();
        String refused = grab(jdbc, user, held);
        int before = held.size();
        int terminated = 0;
        try (Connection su = DriverManager.getConnection(superuserJdbc, "postgres", "");
             var rs = su.createStatement().executeQuery("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                     + " WHERE usename = '" + victim + "'")) {
            rs.next();
            terminated = rs.getInt(1);
        }
        long until = System.nanoTime() + seconds * 1_000_000_000L;
        while (System.nanoTime() < until) {
            grab(jdbc, user, held);
            sleep(5);
        }
        System.out.printf("hog: held %d connections (then %d more freed by ending %d of %s's; the next one: %s) for %d s%n",
                before, held.size() - before, terminated, victim, refused, seconds);
        for (Connection c : held) {
            c.close();
        }
    }

    /** Opens connections until the server refuses one; returns why it refused. */
    static String grab(String jdbc, String user, List<Connection> held) {
        while (held.size() < 10_000) {
            try {
                held.add(DriverManager.getConnection(jdbc, user, ""));
            } catch (SQLException e) {
                return e.getSQLState() + " " + e.getMessage();
            }
        }
        return "none";
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(Math.max(0, millis));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
