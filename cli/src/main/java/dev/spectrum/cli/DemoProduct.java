package dev.spectrum.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * A generated product that looks real, for {@code ./spectrum demo}: persons who visit
 * anonymously, sign up (identifying their device), activate, come back less and less week after
 * week, add a plan to the cart, see an A/B test on checkout (treatment converts better: a planted
 * lift), buy, and sometimes get a refund. Deterministic for a seed; every event is in the past.
 */
final class DemoProduct {

    static final int DAYS = 70;          // ten weeks of history
    static final String EXPERIMENT = "new-checkout";

    private final ObjectMapper json = new ObjectMapper();
    private final Random rnd;
    private final OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS);
    private final OffsetDateTime first = now.minusDays(DAYS);
    private final List<ObjectNode> events = new ArrayList<>();

    DemoProduct(long seed) {
        this.rnd = new Random(seed);
    }

    /** The events, in time order. */
    List<ObjectNode> generate(int persons) {
        for (int p = 0; p < persons; p++) {
            person(p);
        }
        events.sort(Comparator.comparing(e -> OffsetDateTime.parse(e.get("timestamp").asText())));
        return events;
    }

    private void person(int p) {
        String user = "user-" + p;
        String device = "device-" + UUID.nameUUIDFromBytes(("d" + p).getBytes()).toString().substring(0, 8);
        String account = "acct-" + String.format("%03d", rnd.nextInt(300));
        String country = pick("US", "US", "DE", "GB", "FR", "BR", "IN", "JP");
        // signs up some day of the first 63 days (so every cohort has weeks of history)
        OffsetDateTime signup = first.plusMinutes(rnd.nextInt(63 * 24 * 60));
        // anonymous visits before signing up: they join the user once the device is identified
        int visits = 1 + rnd.nextInt(3);
        for (int v = visits; v >= 1; v--) {
            event("page_view", null, device, null, signup.minusHours(v * (1 + rnd.nextInt(30))), country)
                    .put("path", pick("/", "/pricing", "/features", "/blog"));
        }
        event("signup", user, device, account, signup, country).put("plan", "free")
                .put("utm_source", pick("google", "newsletter", "partner", "direct"));
        if (rnd.nextDouble() >= 0.65) {
            return; // never activates
        }
        OffsetDateTime activated = signup.plusMinutes(5 + rnd.nextInt(36 * 60));
        event("activated", user, null, account, activated, country);
        // retention that decays: active in week w with probability 0.7 * 0.8^w
        for (int w = 1; w < 10; w++) {
            OffsetDateTime day = signup.plusDays(7L * w + rnd.nextInt(7));
            if (day.isAfter(now) || rnd.nextDouble() >= 0.7 * Math.pow(0.8, w)) {
                continue;
            }
            event("page_view", user, null, account, day, country).put("path", pick("/app", "/app/reports", "/app/settings"));
        }
        if (rnd.nextDouble() >= 0.55) {
            return; // never adds a plan to the cart
        }
        String plan = pick("pro", "pro", "team", "free");
        OffsetDateTime cart = activated.plusMinutes(10 + rnd.nextInt(4 * 24 * 60));
        if (cart.isAfter(now)) {
            return;
        }
        event("added_to_cart", user, null, account, cart, country).put("plan", plan);
        // the A/B test on checkout: exposure, then the checkout page, then maybe a purchase
        String variant = rnd.nextBoolean() ? "control" : "treatment";
        event("experiment_exposure", user, null, account, cart.plusSeconds(5), country)
                .put("experiment", EXPERIMENT).put("variant", variant);
        event("page_view", user, null, account, cart.plusSeconds(20), country).put("path", "/checkout");
        double buys = variant.equals("treatment") ? 0.55 : 0.35;   // the planted lift
        if (rnd.nextDouble() >= buys) {
            return;
        }
        OffsetDateTime purchase = cart.plusMinutes(2 + rnd.nextInt(3 * 24 * 60));
        if (purchase.isAfter(now)) {
            return;
        }
        double price = switch (plan) {
            case "team" -> 199;
            case "pro" -> 49;
            default -> 9;
        };
        event("purchase", user, null, account, purchase, country).put("plan", plan).put("revenue", price);
        if (rnd.nextDouble() < 0.06 && purchase.plusDays(3).isBefore(now)) {
            event("refund", user, null, account, purchase.plusDays(3), country).put("revenue", -price);
        }
    }

    /** Adds an event and returns its properties object, for the caller to fill. */
    private ObjectNode event(String type, String user, String device, String account, OffsetDateTime at, String country) {
        ObjectNode e = json.createObjectNode();
        events.add(e);
        e.put("event_id", UUID.nameUUIDFromBytes(("e" + events.size() + "/" + rnd.nextLong()).getBytes()).toString());
        e.put("type", type);
        if (user != null) {
            e.put("user_id", user);
        }
        if (device != null) {
            e.put("anonymous_id", device);
        }
        if (account != null) {
            e.put("account_id", account);
        }
        e.put("timestamp", at.format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        e.putObject("context").put("country", country);
        ObjectNode properties = e.putObject("properties");
        return properties;
    }

    private String pick(String... values) {
        return values[rnd.nextInt(values.length)];
    }

    /** A slice of events as the JSON array the events API takes. */
    static String batch(List<ObjectNode> slice) {
        ArrayNode array = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.arrayNode();
        array.addAll(slice);
        return array.toString();
    }
}
