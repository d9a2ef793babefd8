package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.tenancy.TestOrganizations;
import java.awt.Color;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/** With a public host of its own, images are addressed and served there only, and the panel may show them. */
@SpringBootTest(properties = {"herald.base-url=https://panel.example.com", "herald.public-url=https://lists.example.com"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class MediaOriginTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired MediaLibrary library;

  MockHttpServletResponse fetch(String host, String path) throws Exception {
    return mvc.perform(get(URI.create("https://" + host + path)).with(r -> {
      r.setServerName(host);
      return r;
    })).andReturn().getResponse();
  }

  @Test
  void an_image_is_served_on_the_public_host_and_not_on_the_panels() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Origin", "campaigns:read");
    byte[] jpeg = MediaImages.image("jpeg", 12, 10, Color.ORANGE);
    MediaLibrary.Item item = library.add(org.id(), "banner.jpg", jpeg).item();
    assertThat(item.url()).matches("https://lists\\.example\\.com/m/[0-9a-f]{32}\\.jpg");
    String path = URI.create(item.url()).getPath();

    MockHttpServletResponse onPublic = fetch("lists.example.com", path);
    assertThat(onPublic.getStatus()).isEqualTo(200);
    assertThat(onPublic.getContentType()).isEqualTo("image/jpeg");
    assertThat(onPublic.getContentAsByteArray()).isEqualTo(jpeg);
    assertThat(onPublic.getHeader("Cache-Control")).isEqualTo("max-age=31536000, public, immutable");
    assertThat(onPublic.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'");
    assertThat(onPublic.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(onPublic.getHeader("Set-Cookie")).isNull();

    assertThat(fetch("panel.example.com", path).getStatus()).isEqualTo(404);
    assertThat(fetch("lists.example.com", "/m/" + "0".repeat(32) + ".jpg").getStatus()).as("no such key").isEqualTo(404);
    assertThat(fetch("lists.example.com", "/m/nothing").getStatus()).isEqualTo(404);
    // The panel is not served on the public host, the media page included.
    assertThat(fetch("lists.example.com", "/o/" + org.slug() + "/media").getStatus()).isEqualTo(404);
  }

  @Test
  void panel_pages_may_show_images_from_the_public_host_and_nothing_else_new() throws Exception {
    String policy = fetch("panel.example.com", "/login").getHeader("Content-Security-Policy");
    assertThat(policy).contains("img-src 'self' data: https://lists.example.com;").contains("default-src 'self';");
  }
}
