package org.sparkdigits.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sparkdigits.testing.TestCsv;
import org.sparkdigits.testing.TrainedModel;

/**
 * report.html as a browser shows it: {@code report} writes it for a trained model, and Debian's Chromium, headless,
 * driven by its ChromeDriver over WebDriver on loopback, loads it at a 1200 px window: every picture loads (complete,
 * with its natural size), none is wider than the page, the page does not scroll sideways, and the
 * tables of metrics.json and model.json are there. A screenshot is kept in target/report-in-browser.png.
 *
 * <p>Needs {@code chromium} and {@code chromium-driver} (Debian's packages: {@code apt-get install chromium
 * chromium-driver}); without them the test is skipped, saying so. CI installs them and fails when this test was skipped.
 */
@Tag("slow")
class ReportInBrowserTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theReportsPicturesLoadInHeadlessChromiumAtTheirSizes() throws Exception {
        Path driver = Path.of(System.getProperty("chromedriver", "/usr/bin/chromedriver"));
        assumeTrue(Files.isExecutable(driver) && Files.isExecutable(Path.of("/usr/bin/chromium")),
                "no Chromium here (apt-get install chromium chromium-driver): report.html not rendered");
        Path model = TrainedModel.copyTo(dir.resolve("model"));
        Path data = TestCsv.labelled(dir.resolve("labelled.csv"), 90, 81, true);
        CliRun r = CliRun.of("report", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, r.code(), r.err());

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process chromedriver = new ProcessBuilder(driver.toString(), "--port=" + port, "--allowed-ips=127.0.0.1")
                .redirectErrorStream(true).redirectOutput(dir.resolve("chromedriver.log").toFile()).start();
        try {
            WebDriver web = new WebDriver("http://127.0.0.1:" + port);
            web.awaitReady(chromedriver);
            String session = web.newSession(dir.resolve("chromium-profile"));
            try {
                web.post("/session/" + session + "/url", Map.of("url", model.resolve("report.html").toUri().toString()));
                JsonNode page = web.post("/session/" + session + "/execute/sync", Map.of("args", List.of(), "script", """
                        const imgs = Array.from(document.images).map(i => ({src: i.getAttribute('src'),
                            complete: i.complete, natural: i.naturalWidth, shown: i.getBoundingClientRect().width}));
                        return {title: document.title, width: document.documentElement.clientWidth,
                            scroll: document.documentElement.scrollWidth, imgs: imgs,
                            tables: document.querySelectorAll('table').length,
                            text: document.body.innerText};
                        """)).get("value");
                List<String> srcs = new ArrayList<>();
                for (JsonNode img : page.get("imgs")) {
                    String src = img.get("src").asText();
                    srcs.add(src);
                    assertTrue(img.get("complete").asBoolean() && img.get("natural").asInt() > 0,
                            src + " did not load: " + img);
                    assertTrue(img.get("shown").asDouble() <= page.get("width").asDouble(), src + " is wider than the page");
                }
                assertTrue(srcs.containsAll(List.of("loss.png", "accuracy.png", "confusion.png", "samples.png")),
                        "pictures in the page: " + srcs);
                assertTrue(page.get("scroll").asInt() <= page.get("width").asInt(), "the page scrolls sideways: " + page);
                assertTrue(page.get("tables").asInt() >= 2, "metrics.json and model.json as tables: " + page);
                assertTrue(page.get("text").asText().contains("90 rows"), page.get("text").asText());
                String png = web.get("/session/" + session + "/screenshot").get("value").asText();
                Path shot = Path.of("target", "report-in-browser.png");
                Files.createDirectories(shot.getParent());
                Files.write(shot, Base64.getDecoder().decode(png));
                assertTrue(Files.size(shot) > 10_000, "a blank screenshot");
            } finally {
                web.delete("/session/" + session);
            }
        } finally {
            chromedriver.descendants().forEach(ProcessHandle::destroyForcibly);   // Chromium, should the session linger
            chromedriver.destroy();
            if (!chromedriver.waitFor(10, TimeUnit.SECONDS)) {
                chromedriver.destroyForcibly();
            }
        }
    }

    /** The few WebDriver calls this test makes, over HTTP on loopback. */
    private static final class WebDriver {
        private final String base;
        private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        WebDriver(String base) {
            this.base = base;
        }

        void awaitReady(Process chromedriver) throws InterruptedException {
            long end = System.nanoTime() + WAIT.toNanos();
            while (System.nanoTime() < end) {
                assertTrue(chromedriver.isAlive(), "chromedriver ended at once");
                try {
                    if (get("/status").get("value").get("ready").asBoolean()) {
                        return;
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(100);
            }
            throw new AssertionError("chromedriver was not ready within " + WAIT);
        }

        String newSession(Path profile) throws IOException, InterruptedException {
            Map<String, Object> options = Map.of("binary", "/usr/bin/chromium", "args", List.of("--headless=new",
                    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1200,1600",
                    "--allow-file-access-from-files", "--user-data-dir=" + profile.toAbsolutePath()));
            JsonNode r = post("/session", Map.of("capabilities", Map.of("alwaysMatch",
                    Map.of("goog:chromeOptions", options))));
            return r.get("value").get("sessionId").asText();
        }

        JsonNode get(String path) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
        }

        JsonNode post(String path, Object body) throws IOException, InterruptedException {
            return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(JSON.writeValueAsString(body))));
        }

        void delete(String path) throws IOException, InterruptedException {
            send(HttpRequest.newBuilder(URI.create(base + path)).DELETE());
        }

        private JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
            HttpResponse<String> r = http.send(request.timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = JSON.readTree(r.body());
            if (r.statusCode() != 200) {
                throw new AssertionError("WebDriver " + r.statusCode() + ": " + r.body());
            }
            return json;
        }
    }
}
