package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.awt.Color;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.util.FileSystemUtils;

/**
 * The media page in a real browser (headless Chromium): three files chosen at once (a PNG, a hand-made WebP and an
 * SVG named .png), the two images shown as thumbnails loaded from their public addresses and the SVG refused by
 * name, the page at 390 px, then a delete that warns about sent mail first. Herald listens on a port fixed before it
 * starts, so that the addresses it writes into the page are the ones the browser can load.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.DEFINED_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class MediaBrowserTest {
  static final int PORT = freePort();

  @DynamicPropertySource
  static void address(DynamicPropertyRegistry registry) {
    registry.add("server.port", () -> PORT);
    registry.add("herald.base-url", () -> "http://127.0.0.1:" + PORT);
  }

  @Autowired TestOrganizations organizations;
  @Autowired MediaLibrary library;

  private Browser web;
  private Path folder;

  @BeforeEach
  void start() throws IOException {
    web = Browser.start(PORT);
    folder = Files.createTempDirectory("herald-media-");
  }

  @AfterEach
  void stop() {
    if (web != null) web.close();
    if (folder != null) FileSystemUtils.deleteRecursively(folder.toFile());
  }

  @Test
  void images_are_uploaded_shown_copied_and_deleted_with_a_warning_at_desktop_and_phone_width() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Browser Co", "campaigns:read");
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());
    web.clickNav("Media");
    web.waitForPath("/o/" + org.slug() + "/media");
    assertThat(web.bodyText()).contains("No images yet.");

    Path png = write("logo.png", MediaImages.image("png", 120, 80, new Color(0x1f6feb)));
    Path webp = write("dot.webp", MediaImages.webpLossless());
    Path svg = write("sneaky.png", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"
        .getBytes(StandardCharsets.UTF_8));
    web.driver().findElement(By.id("file")).sendKeys(String.join("\n", png.toString(), webp.toString(), svg.toString()));
    web.submit("Upload");
    web.waitForPath("/o/" + org.slug() + "/media");
    assertThat(web.notice()).contains("Uploaded 2 images", "logo.png", "dot.webp");
    assertThat(web.visible(By.id("file-error")).getText()).contains("sneaky.png: Unsupported type", "an SVG image");

    List<MediaLibrary.Item> items = library.list(org.id());
    assertThat(items).extracting(MediaLibrary.Item::name).containsExactlyInAnyOrder("logo.png", "dot.webp");
    MediaLibrary.Item logo = items.stream().filter(i -> i.name().equals("logo.png")).findFirst().orElseThrow();
    MediaLibrary.Item dot = items.stream().filter(i -> i.name().equals("dot.webp")).findFirst().orElseThrow();
    // Loaded by the browser from the public address: the WebP written by hand is one Chromium decodes.
    assertThat(naturalWidth(logo)).isEqualTo(120);
    assertThat(naturalWidth(dot)).isEqualTo(1);
    WebElement card = web.visible(By.id("media-" + logo.id()));
    assertThat(card.getText()).contains("logo.png", "PNG · ", "120 × 80");
    assertThat(web.visible(By.id("media-url-" + logo.id())).getText()).isEqualTo(logo.url());
    assertThat(card.findElement(By.cssSelector("button[data-copy-from]")).isDisplayed()).as("copy button shown").isTrue();

    web.driver().manage().window().setSize(new Dimension(390, 844));
    web.open("/o/" + org.slug() + "/media");
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(inner).isLessThanOrEqualTo(390);
    assertThat(scroll).as("page width at 390 px").isLessThanOrEqualTo(inner);
    assertThat(naturalWidth(logo)).isEqualTo(120);

    // The image itself over a socket: HEAD answers the headers without a body, and no cookie.
    HttpResponse<byte[]> head = http("HEAD", dot.url());
    assertThat(head.statusCode()).isEqualTo(200);
    assertThat(head.body()).isEmpty();
    assertThat(head.headers().firstValue("Content-Type")).hasValue("image/webp");
    assertThat(head.headers().firstValue("Content-Length")).hasValue("34");
    assertThat(head.headers().firstValue("Set-Cookie")).isEmpty();

    card = web.visible(By.id("media-" + logo.id()));
    card.findElement(By.tagName("summary")).click();
    assertThat(card.findElement(By.cssSelector(".alert")).getText()).contains("Mail already sent that shows this image");
    WebElement confirm = card.findElement(By.xpath(".//button[normalize-space()='Delete for good']"));
    confirm.click();
    web.waitUntilGone(confirm);
    assertThat(web.notice()).contains("Deleted logo.png", "broken image");
    assertThat(web.driver().findElements(By.id("media-" + logo.id()))).isEmpty();
    assertThat(http("GET", logo.url()).statusCode()).isEqualTo(404);
    assertThat(web.consoleErrors()).as("nothing refused by the Content-Security-Policy").isEmpty();
  }

  private long naturalWidth(MediaLibrary.Item item) {
    By image = By.cssSelector("#media-" + item.id() + " img");
    web.until(d -> Boolean.TRUE.equals(web.js().executeScript("return arguments[0].complete", d.findElement(image))));
    return ((Number) web.js().executeScript("return arguments[0].naturalWidth", web.driver().findElement(image))).longValue();
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(folder.resolve(name), content);
  }

  private static HttpResponse<byte[]> http(String method, String url) throws Exception {
    try (HttpClient client = HttpClient.newHttpClient()) {
      return client.send(HttpRequest.newBuilder(URI.create(url)).method(method, HttpRequest.BodyPublishers.noBody()).build(),
          HttpResponse.BodyHandlers.ofByteArray());
    }
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
