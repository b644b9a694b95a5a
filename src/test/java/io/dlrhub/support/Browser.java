package io.dlrhub.support;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven through the machine's chromedriver (Debian: {@code apt-get install
 * chromium chromium-driver}), with a fresh profile, as an operator's browser. Nothing is downloaded:
 * both programs are found on the machine ({@code DLRHUB_CHROMIUM}, {@code DLRHUB_CHROMEDRIVER}, else
 * the PATH). Without them the browser tests are skipped, unless DLRHUB_REQUIRE_BROWSER=true (set by
 * .ci/run) makes that a failure, as TestDatabase does for PostgreSQL.
 */
public final class Browser implements AutoCloseable {

    public static final Path SCREENSHOTS = Path.of("target", "console-screenshots");

    private final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    public static Browser start() {
        Optional<Path> chromium = find("DLRHUB_CHROMIUM", "chromium", "chromium-browser", "google-chrome");
        Optional<Path> chromedriver = find("DLRHUB_CHROMEDRIVER", "chromedriver");
        if (chromium.isEmpty() || chromedriver.isEmpty()) {
            String missing = "chromium and chromedriver are needed for the console's browser tests (Debian: "
                    + "apt-get install chromium chromium-driver); found chromium "
                    + chromium.map(Path::toString).orElse("no")
                    + ", chromedriver " + chromedriver.map(Path::toString).orElse("no");
            if ("true".equalsIgnoreCase(System.getenv("DLRHUB_REQUIRE_BROWSER"))) {
                throw new IllegalStateException("A browser is required (DLRHUB_REQUIRE_BROWSER): " + missing);
            }
            Assumptions.abort(missing);
        }
        Path profile;
        try {
            profile = Files.createTempDirectory("dlr-hub-chromium-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(chromium.get().toFile());
        // as root (CI containers) Chromium needs --no-sandbox; the rest keeps it from calling home
        options.addArguments(
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--user-data-dir=" + profile,
                "--window-size=1366,900",
                "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, java.util.logging.Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(chromedriver.get().toFile())
                .usingAnyFreePort()
                .build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Waits (at most 20 s) until the condition holds, and returns its value. */
    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(20)).until(condition);
    }

    /** Saves the page as it is now to target/console-screenshots/{name}.png, for review. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            // the whole page, not only what fits the window: the window grows to the page for the picture
            Dimension window = driver.manage().window().getSize();
            long height = (Long) driver.executeScript("return document.documentElement.scrollHeight");
            driver.manage().window().setSize(new Dimension(window.getWidth(), (int)
                    Math.max(window.getHeight(), height + 20)));
            try {
                File taken = driver.getScreenshotAs(OutputType.FILE);
                Files.copy(taken.toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                driver.manage().window().setSize(window);
            }
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the page's scripts wrote to the console (errors, CSP violations) since the last call. */
    public List<String> consoleMessages() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
                .map(entry -> entry.getLevel() + " " + entry.getMessage())
                .toList();
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a temporary profile left behind is harmless
            }
        }
    }

    private static Optional<Path> find(String variable, String... names) {
        String configured = System.getenv(variable);
        if (configured != null && !configured.isBlank()) {
            Path path = Path.of(configured);
            return Files.isExecutable(path) ? Optional.of(path) : Optional.empty();
        }
        String searchPath = Optional.ofNullable(System.getenv("PATH")).orElse("/usr/bin:/bin");
        for (String name : names) {
            for (String directory : searchPath.split(File.pathSeparator)) {
                Path candidate = Path.of(directory, name);
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }
}
