package io.dlrhub.ops;

import static io.dlrhub.support.RunningHub.FORM;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dlrhub.support.Browser;
import io.dlrhub.support.Receiver;
import io.dlrhub.support.RunningHub;
import io.dlrhub.support.TestDatabase;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;

/**
 * The console as an operator uses it, in a real headless Chromium against a running hub on
 * PostgreSQL, with a real HTTP server as the CRM: sign in with the admin token, find the sms.by
 * seed message 2892295 by its id, read its timeline, canonical event and CRM attempts, make a CRM
 * delivery fail until it is dead, replay it from the dead-letters page and see the CRM receive it,
 * replay every delivery that died in a CRM outage with one action, read the sink's failures, sign
 * out and be refused. A screenshot of each page goes to target/console-screenshots/.
 */
class ConsoleBrowserTest {

    private static final String ADMIN = "console-admin-token-0123456789";
    private static final String SMSBY = "smsby-token-0123456789";
    private static final String CRM_TOKEN = "crm-bearer-secret-0123456789";
    private static final String SEED = "/fixtures/smsby/seed-sent.form";

    private final AtomicInteger crmAnswer = new AtomicInteger(200);
    private Receiver crm;
    private RunningHub hub;
    private Browser browser;

    @BeforeEach
    void start() {
        browser = Browser.start();
        crm = Receiver.start((key, body) -> new Receiver.Reply(crmAnswer.get(), Map.of()));
        hub = RunningHub.start(
                TestDatabase.postgres(),
                Map.of(
                        "admin.token",
                        ADMIN,
                        "smsby.tokens",
                        SMSBY,
                        "crm.url",
                        crm.url(),
                        "crm.token",
                        CRM_TOKEN,
                        "crm.max-attempts",
                        "3",
                        "crm.retry-initial-ms",
                        "50",
                        "crm.retry-max-ms",
                        "100",
                        "db.pool-size",
                        "4"));
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.close();
        }
        if (hub != null) {
            hub.close();
        }
        if (crm != null) {
            crm.close();
        }
    }

    @Test
    void anOperatorFollowsMessage2892295ReplaysItsDeadCrmDeliveryAndSignsOut() throws Exception {
        String seed = Files.readString(Path.of(getClass().getResource(SEED).toURI()), StandardCharsets.UTF_8)
                .trim();
        String sent = webhook(seed);
        await().atMost(Duration.ofSeconds(20))
                .until(() -> hub.admin("GET", "/api/messages/smsby/2892295", ADMIN)
                        .json()
                        .get("events")
                        .get(0)
                        .get("deliveries")
                        .get(0)
                        .get("state")
                        .asText()
                        .equals("delivered"));
        assertThat(crm.callsPerKey()).containsEntry(sent, 1);
        WebDriver driver = browser.driver();

        // signed out, the console sends the browser to the sign-in page; a wrong token is refused there
        driver.get(console("/console"));
        browser.await(d -> d.getCurrentUrl().endsWith("/console/sign-in"));
        browser.screenshot("01-sign-in");
        driver.findElement(By.id("token")).sendKeys("not-the-admin-token", Keys.ENTER);
        assertThat(browser.await(d -> d.findElement(By.cssSelector(".notice"))).getText())
                .isEqualTo("That is not the admin token.");

        // signed in (keyboard only: the field has the focus, Enter submits): the overview
        driver.switchTo().activeElement().sendKeys(ADMIN, Keys.ENTER);
        browser.await(d -> d.getCurrentUrl().endsWith("/console"));
        WebElement crmRow = browser.await(d -> rowOf(d, "#sink-table", "crm"));
        assertThat(cells(crmRow))
                .as("sink, pending, oldest pending, delivered and failed in the last hour, dead")
                .containsExactly("crm", "0", "–", "1", "0", "0");
        assertThat(text(driver, "#database-status")).isEqualTo("UP");
        assertThat(driver.findElements(By.cssSelector("#received-chart svg rect.bar")))
                .hasSize(60);
        assertThat(driver.findElement(By.id("chart-title")).getAttribute("textContent"))
                .startsWith("1 events received in the last hour");
        browser.screenshot("02-overview");
        // from the keyboard: the first Tab reaches the skip link, Enter takes the focus to the page's content
        driver.findElement(By.tagName("body")).sendKeys(Keys.TAB);
        assertThat(driver.switchTo().activeElement().getText()).isEqualTo("Skip to content");
        driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        assertThat(driver.switchTo().activeElement().getAttribute("id")).isEqualTo("main");

        // search by provider and message id (the other criteria are there too), open the message
        driver.findElement(By.linkText("Search")).click();
        browser.await(d -> d.getCurrentUrl().endsWith("/console/search"));
        browser.await(d -> d.findElement(By.id("status")).isDisplayed());
        driver.findElement(By.id("provider")).sendKeys("smsby");
        driver.findElement(By.id("message-id")).sendKeys("2892295", Keys.ENTER);
        WebElement result = browser.await(d -> d.findElement(By.cssSelector("#results:not([hidden]) a")));
        assertThat(result.getText()).isEqualTo("2892295");
        assertThat(text(driver, "#results tbody")).contains("SENT").contains("crm delivered");
        browser.screenshot("03-search");
        result.click();

        // the message: its timeline (one SENT event), the canonical event, and the CRM's one attempt
        browser.await(d -> d.findElements(By.cssSelector("#timeline tbody tr")).size() == 1);
        assertThat(text(driver, "#message-heading")).isEqualTo("Message 2892295 (smsby)");
        assertThat(text(driver, "#timeline tbody tr")).contains("SENT").contains("crm delivered");
        assertThat(browser.await(d -> d.findElement(By.id("canonical"))).getText())
                .contains("\"message_id\": \"2892295\"")
                .contains("\"event_id\": \"" + sent + "\"");
        assertThat(text(driver, "#deliveries [data-sink='crm'] h4")).isEqualTo("crm delivered after 1 attempt");
        assertThat(attempts(driver)).containsExactly("delivered 200");
        browser.screenshot("04-message");

        // the CRM fails the next status of the message until its attempts run out: a dead delivery
        crmAnswer.set(500);
        String delivered = webhook("channel=VIBER&message_id=2892295&status=DELIVERED");
        await().atMost(Duration.ofSeconds(30)).until(() -> deadDeliveryOf(delivered) != null);
        assertThat(crm.callsPerKey().get(delivered)).isEqualTo(3);

        // the dead-letters page lists it; the CRM is fixed; one Replay (keyboard) sends it again
        driver.findElement(By.cssSelector("header .brand")).click();
        driver.findElement(By.linkText("Dead letters")).click();
        long outboxId = deadDeliveryOf(delivered).get("id").asLong();
        WebElement dead = browser.await(d -> d.findElement(By.cssSelector("tr[data-outbox-id='" + outboxId + "']")));
        assertThat(dead.getText())
                .contains("crm")
                .contains("2892295")
                .contains("DELIVERED")
                .contains("HTTP 500");
        browser.screenshot("05-dead-letters");
        crmAnswer.set(200);
        dead.findElement(By.xpath(".//button[text()='Replay']")).sendKeys(Keys.ENTER);
        browser.await(d -> text(d, "#action-status").contains("is back in the queue"));
        await().atMost(Duration.ofSeconds(20)).until(() -> crm.callsPerKey().getOrDefault(delivered, 0) == 4);
        browser.screenshot("06-replayed");

        // the message page tells the whole story of the DELIVERED event at the CRM: three failures, a replay, delivered
        dead.findElement(By.linkText("2892295")).click();
        browser.await(d -> d.findElements(By.cssSelector("#timeline tbody tr")).size() == 2);
        assertThat(text(driver, "#timeline tbody tr:last-child"))
                .contains("DELIVERED")
                .contains("crm delivered");
        browser.await(d -> attempts(d).size() == 4);
        assertThat(attempts(driver)).containsExactly("retry 500", "retry 500", "dead 500", "delivered 200");
        browser.screenshot("07-message-after-replay");

        // a CRM outage kills two more deliveries; one action replays every dead CRM delivery
        crmAnswer.set(500);
        List<String> outage = List.of(
                webhook("channel=SMS&message_id=2892296&status=SENT"),
                webhook("channel=SMS&message_id=2892297&status=SENT"));
        await().atMost(Duration.ofSeconds(30)).until(() -> outage.stream().allMatch(id -> deadDeliveryOf(id) != null));
        driver.findElement(By.linkText("Dead letters")).click();
        driver.findElement(By.id("dead-sink")).sendKeys("crm", Keys.ENTER);
        browser.await(
                d -> d.findElements(By.cssSelector("#dead-table tbody tr")).size() == 2);
        browser.screenshot("08-dead-letters-after-outage");
        crmAnswer.set(200);
        driver.findElement(By.id("replay-matching")).click();
        assertThat(text(driver, "#confirm-matching-text")).startsWith("Replay every dead delivery with sink crm?");
        driver.switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.await(d -> text(d, "#action-status").matches("Replay \\d+ started for 2 matching deliveries\\."));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> outage.stream().allMatch(id -> crm.callsPerKey().getOrDefault(id, 0) == 4));
        driver.navigate().refresh();
        browser.await(d -> text(d, "#dead-status").equals("No dead delivery matches."));
        WebElement job = browser.await(d -> d.findElement(By.cssSelector("#replays tbody tr[data-replay-id]")));
        assertThat(cells(job)).containsSubsequence("2", "2", "console");
        browser.screenshot("09-bulk-replayed");

        // the sinks page: settings without secrets, and the failures of the outage
        driver.findElement(By.linkText("Sinks")).click();
        WebElement crmSink = browser.await(d -> d.findElement(By.id("sink-crm")));
        assertThat(crmSink.getText())
                .contains("http://127.0.0.1:" + java.net.URI.create(crm.url()).getPort() + "/…")
                .contains("bearer token set")
                .doesNotContain(CRM_TOKEN);
        assertThat(crmSink.findElements(By.cssSelector("table.failures tbody tr")))
                .hasSizeGreaterThanOrEqualTo(9);
        assertThat(crmSink.findElement(By.cssSelector("table.failures tbody tr"))
                        .getText())
                .contains("500");
        browser.screenshot("10-sinks");

        // no secret on any page, and the page's script ran without errors (no CSP violation among them)
        assertThat(driver.getPageSource()).doesNotContain(ADMIN).doesNotContain(CRM_TOKEN);
        assertThat(browser.consoleMessages())
                .noneMatch(line -> line.contains("Content Security Policy") || line.contains("Uncaught"));

        // sign out: the session is gone, for the browser and for anyone holding its cookie
        Cookie session = driver.manage().getCookieNamed("dlrhub_console");
        assertThat(session.isHttpOnly()).isTrue();
        assertThat(session.getSameSite()).isEqualTo("Strict");
        driver.findElement(By.xpath("//button[text()='Sign out']")).click();
        browser.await(d -> d.getCurrentUrl().endsWith("/console/sign-in?signed-out"));
        assertThat(text(driver, ".notice")).isEqualTo("You are signed out.");
        browser.screenshot("11-signed-out");
        driver.get(console("/console/dead-letters"));
        browser.await(d -> d.getCurrentUrl().endsWith("/console/sign-in"));
        RunningHub.Reply replayed = hub.send(HttpRequest.newBuilder(hub.managementUri("/api/outbox?state=dead"))
                .header("Cookie", "dlrhub_console=" + session.getValue())
                .GET()
                .build());
        assertThat(replayed.status()).isEqualTo(401);
    }

    private String webhook(String form) {
        RunningHub.Reply reply = hub.post("/webhooks/smsby?token=" + SMSBY, FORM, form);
        assertThat(reply.status()).as(reply.toString()).isEqualTo(200);
        return reply.field("event_id");
    }

    private JsonNode deadDeliveryOf(String eventId) {
        for (JsonNode entry : hub.admin("GET", "/api/outbox?state=dead", ADMIN).json()) {
            if (eventId.equals(entry.get("event_id").asText())
                    && "crm".equals(entry.get("sink").asText())) {
                return entry;
            }
        }
        return null;
    }

    private String console(String path) {
        return hub.managementUri(path).toString();
    }

    private static String text(WebDriver driver, String css) {
        return driver.findElement(By.cssSelector(css)).getText();
    }

    private static WebElement rowOf(WebDriver driver, String table, String firstCell) {
        for (WebElement row : driver.findElements(By.cssSelector(table + " tbody tr"))) {
            if (row.findElement(By.cssSelector("th, td")).getText().equals(firstCell)) {
                return row;
            }
        }
        return null;
    }

    /** The CRM's attempts of the event shown on the message page, in the order shown: "outcome HTTP-status". */
    private static List<String> attempts(WebDriver driver) {
        return driver.findElements(By.cssSelector("#deliveries [data-sink='crm'] table.attempts tbody tr")).stream()
                .map(row -> {
                    List<String> cells = cells(row);
                    return cells.get(3) + " " + cells.get(4);
                })
                .toList();
    }

    private static List<String> cells(WebElement row) {
        return row.findElements(By.cssSelector("th, td")).stream()
                .map(WebElement::getText)
                .toList();
    }
}
