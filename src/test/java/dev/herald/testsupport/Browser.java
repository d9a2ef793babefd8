package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.regex.Pattern;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.util.FileSystemUtils;

/**
 * Headless Debian Chromium driven through chromedriver, for the browser tests (tagged "browser"), pointed
 * at the test server on 127.0.0.1. It starts with an empty profile of its own, deleted again by {@link #close()}.
 * The helpers wait explicitly (never sleep) and name the page the browser is on when a wait runs out.
 */
public final class Browser implements AutoCloseable {
  public static final String CHROMIUM = "/usr/bin/chromium";
  public static final String CHROMEDRIVER = "/usr/bin/chromedriver";

  private final String base;
  private final Path profile;
  private final WebDriver driver;
  private final WebDriverWait wait;

  private Browser(String base, Path profile, WebDriver driver) {
    this.base = base;
    this.profile = profile;
    this.driver = driver;
    // A condition that reads an element htmx just swapped out (a polled part of a page) is asked again, not failed:
    // QueueBrowserTest's notice was read in CI at the moment its 5-second refresh replaced it.
    this.wait = new WebDriverWait(driver, Duration.ofSeconds(15));
    this.wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
  }

  /** Starts Chromium for the server on this port; fails (rather than skips) when Chromium or its driver is missing. */
  public static Browser start(int port) throws IOException {
    requireExecutable(CHROMIUM);
    requireExecutable(CHROMEDRIVER);
    System.setProperty("SE_AVOID_STATS", "true");
    Path profile = Files.createTempDirectory("herald-chromium-");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
        "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--window-size=1280,900", "--user-data-dir=" + profile);
    // Keeps the console's messages for consoleErrors() (a Content-Security-Policy violation is logged there).
    LoggingPreferences logging = new LoggingPreferences();
    logging.enable(LogType.BROWSER, Level.ALL);
    options.setCapability(ChromeOptions.LOGGING_PREFS, logging);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(new File(CHROMEDRIVER)).build();
    try {
      return new Browser("http://127.0.0.1:" + port, profile, new ChromeDriver(service, options));
    } catch (RuntimeException e) {
      FileSystemUtils.deleteRecursively(profile.toFile());
      throw e;
    }
  }

  private static void requireExecutable(String path) {
    if (!Files.isExecutable(Path.of(path))) {
      fail(path + " is missing: the browser tests need Chromium and its driver. Run bin/install-test-tools to install them.");
    }
  }

  public WebDriver driver() {
    return driver;
  }

  /** The explicit wait (15 s) the helpers use. */
  public WebDriverWait waiting() {
    return wait;
  }

  public <T> T until(Function<WebDriver, T> condition) {
    return wait.until(condition);
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      FileSystemUtils.deleteRecursively(profile.toFile());
    }
  }

  // ---- navigating --------------------------------------------------------------------------

  /** Opens a path on the test server; links printed by Herald name its configured base URL, not the test port. */
  public void open(String pathAndQuery) {
    driver.get(base + pathAndQuery);
    wait.until(d -> "complete".equals(js().executeScript("return document.readyState")));
  }

  /** Opens a link Herald wrote (in a mail or a page) on the test server: its path and query, not its host. */
  public void openLink(String absoluteLink) {
    URI uri = URI.create(absoluteLink);
    open(uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
  }

  public void waitForPath(String path) {
    try {
      wait.until(d -> path.equals(currentPath()));
    } catch (TimeoutException e) {
      fail("expected to be on " + path + " but the browser is on " + driver.getCurrentUrl() + ":\n" + bodyText(), e);
    }
  }

  public String waitForPathMatching(Pattern pattern) {
    wait.until(d -> pattern.matcher(currentPath()).matches());
    return currentPath();
  }

  public String currentPath() {
    return URI.create(driver.getCurrentUrl()).getPath();
  }

  // ---- forms -------------------------------------------------------------------------------

  public void fill(String name, String value) {
    WebElement field = wait.until(ExpectedConditions.visibilityOfElementLocated(By.name(name)));
    field.clear();
    field.sendKeys(value);
  }

  public void tick(String name) {
    WebElement box = wait.until(ExpectedConditions.elementToBeClickable(By.cssSelector("input[type=checkbox][name=" + name + "]")));
    if (!box.isSelected()) box.click();
    assertThat(box.isSelected()).as("%s ticked", name).isTrue();
  }

  /** The submit button in main with this text. */
  public WebElement button(String buttonText) {
    return wait.until(ExpectedConditions.elementToBeClickable(
        By.xpath("//main//button[@type='submit'][normalize-space()='" + buttonText + "']")));
  }

  /** Clicks the submit button with this text and waits until the browser has left the page. */
  public void submit(String buttonText) {
    WebElement button = button(buttonText);
    button.click();
    waitUntilGone(button);
  }

  /** Waits until the page holding this element was replaced (after a click that navigates). */
  public void waitUntilGone(WebElement element) {
    wait.until(d -> isGone(element));
  }

  /**
   * Whether the element's page was replaced. Besides the stale-element error, chromedriver sometimes answers a
   * check made while the new document replaces the old one with "Node with given id does not belong to the
   * document" (an unknown error, not a stale one; seen once in CI on a form post): that too means it is gone.
   */
  private static boolean isGone(WebElement element) {
    try {
      element.isEnabled();
      return false;
    } catch (StaleElementReferenceException e) {
      return true;
    } catch (WebDriverException e) {
      if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) return true;
      throw e;
    }
  }

  public void clickNav(String text) {
    wait.until(ExpectedConditions.elementToBeClickable(By.xpath("//nav[@class='org-nav']/a[normalize-space()='" + text + "']")))
        .click();
  }

  public void signIn(String email, String password) {
    open("/login");
    fill("email", email);
    fill("password", password);
    submit("Sign in");
  }

  /** Signs in and waits for the dashboard: how most browser tests begin. Answers this browser, to go on from there. */
  public Browser signedIn(String email, String password) {
    signIn(email, password);
    waitForPath("/dashboard");
    return this;
  }

  // ---- reading the page --------------------------------------------------------------------

  public WebElement visible(By by) {
    return wait.until(ExpectedConditions.visibilityOfElementLocated(by));
  }

  public String bodyText() {
    return driver.findElement(By.tagName("body")).getText();
  }

  public String heading() {
    return driver.findElement(By.tagName("h1")).getText();
  }

  /** The panel's flash notice (role=status). */
  public String notice() {
    return visible(By.cssSelector(".flash [role=status]")).getText();
  }

  /** The texts of every link in the header's navigation bars. */
  public List<String> navLinks() {
    return driver.findElements(By.cssSelector("header nav a")).stream().map(WebElement::getText).toList();
  }

  /** The console's errors since the last call: scripts that failed, resources refused by the Content-Security-Policy. */
  public List<String> consoleErrors() {
    return driver.manage().logs().get(LogType.BROWSER).getAll().stream()
        .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).map(LogEntry::getMessage).toList();
  }

  public JavascriptExecutor js() {
    return (JavascriptExecutor) driver;
  }
}
