package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.head;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.platform.Refused;
import dev.herald.tenancy.TestOrganizations;
import java.awt.Color;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.AbstractMockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The media library through its API, its panel page and its public addresses, with small limits (2 KB a file, 6 KB an
 * organization) so that real images reach them.
 */
@SpringBootTest(properties = {"herald.content.media.max-bytes=2KB", "herald.content.media.max-total-bytes=6KB"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class MediaLibraryTest {
  @Autowired MockMvc mvc;
  @Autowired ObjectMapper json;
  @Autowired TestOrganizations organizations;
  @Autowired MediaLibrary library;

  @Test
  void an_image_goes_round_the_api_and_is_served_at_its_public_address_until_deleted() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Round Trip", "campaigns:write");
    byte[] png = MediaImages.image("png", 30, 20, Color.MAGENTA);
    // Named like a program and sent as HTML: the content decides.
    MockHttpServletResponse created = mvc.perform(api(org, multipart("/api/v1/orgs/" + org.slug() + "/media")
        .file(new MockMultipartFile("file", "photo.exe", "text/html", png)))).andReturn().getResponse();
    assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
    JsonNode item = json.readTree(created.getContentAsString());
    assertThat(item.get("name").asString()).isEqualTo("photo.exe");
    assertThat(item.get("type").asString()).isEqualTo("image/png");
    assertThat(item.get("size").asLong()).isEqualTo(png.length);
    assertThat(item.get("width").asInt()).isEqualTo(30);
    assertThat(item.get("height").asInt()).isEqualTo(20);
    assertThat(item.get("created").asString()).isNotBlank();
    String url = item.get("url").asString();
    assertThat(url).matches("http://localhost:\\d+/m/[0-9a-f]{32}\\.png");
    long id = item.get("id").asLong();
    assertThat(created.getHeader("Location")).isEqualTo("/api/v1/orgs/" + org.slug() + "/media/" + id);

    JsonNode list = json.readTree(mvc.perform(api(org, get("/api/v1/orgs/" + org.slug() + "/media"))).andReturn().getResponse()
        .getContentAsString());
    assertThat(list.get("total").asLong()).isEqualTo(1);
    assertThat(list.get("items").get(0).get("url").asString()).isEqualTo(url);
    assertThat(library.list(org.id())).extracting(MediaLibrary.Item::url).containsExactly(url);

    String path = URI.create(url).getPath();
    MockHttpServletResponse served = mvc.perform(get(path)).andReturn().getResponse();
    assertThat(served.getStatus()).isEqualTo(200);
    assertThat(served.getContentAsByteArray()).isEqualTo(png);
    assertThat(served.getContentType()).isEqualTo("image/png");
    assertThat(served.getHeader("Cache-Control")).isEqualTo("max-age=31536000, public, immutable");
    assertThat(served.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    assertThat(served.getHeader("Content-Security-Policy")).isEqualTo("default-src 'none'");
    assertThat(served.getHeader("Set-Cookie")).isNull();
    assertThat(served.getCookies()).isEmpty();
    String etag = served.getHeader("ETag");
    assertThat(etag).matches("\"[0-9a-f]{64}\"");

    MockHttpServletResponse headOnly = mvc.perform(head(path)).andReturn().getResponse();
    assertThat(headOnly.getStatus()).isEqualTo(200);
    assertThat(headOnly.getContentType()).isEqualTo("image/png");
    assertThat(headOnly.getHeader("ETag")).isEqualTo(etag); // the container drops the body of HEAD (MediaBrowserTest asks over a socket)
    MockHttpServletResponse again = mvc.perform(get(path).header("If-None-Match", etag)).andReturn().getResponse();
    assertThat(again.getStatus()).isEqualTo(304);
    assertThat(again.getContentAsByteArray()).isEmpty();
    assertThat(mvc.perform(get(path.replace(".png", ".gif"))).andReturn().getResponse().getStatus()).as("another extension").isEqualTo(404);

    assertThat(mvc.perform(api(org, delete("/api/v1/orgs/" + org.slug() + "/media/" + id))).andReturn().getResponse().getStatus())
        .isEqualTo(204);
    assertThat(mvc.perform(get(path)).andReturn().getResponse().getStatus()).isEqualTo(404);
    assertThat(mvc.perform(api(org, get("/api/v1/orgs/" + org.slug() + "/media/" + id))).andReturn().getResponse().getStatus())
        .isEqualTo(404);
  }

  @Test
  void the_same_content_is_kept_once_and_each_format_is_taken() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Dedupe", "campaigns:write");
    byte[] gif = MediaImages.image("gif", 8, 8, Color.CYAN);
    JsonNode first = upload(org, "a.gif", gif, 201);
    JsonNode second = upload(org, "b.gif", gif, 200);
    assertThat(second.get("id").asLong()).isEqualTo(first.get("id").asLong());
    assertThat(second.get("name").asString()).isEqualTo("a.gif");
    assertThat(upload(org, "x.jpg", MediaImages.image("jpeg", 9, 7, Color.GRAY), 201).get("url").asString()).endsWith(".jpg");
    JsonNode webp = upload(org, "tiny.webp", MediaImages.webpLossless(), 201);
    assertThat(webp.get("type").asString()).isEqualTo("image/webp");
    assertThat(webp.get("url").asString()).endsWith(".webp");
    assertThat(library.list(org.id())).hasSize(3);
  }

  @Test
  void a_renamed_program_page_or_svg_is_refused_naming_the_file_field_and_what_it_is() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Refusals", "campaigns:write");
    JsonNode exe = refusal(org, "logo.png", MediaImages.bytes("MZ", 0x90, 0, "program"), 422);
    assertThat(exe.get("errors").get(0).get("field").asString()).isEqualTo("file");
    assertThat(exe.get("errors").get(0).get("message").asString()).contains("Unsupported type", "a Windows program (.exe)");
    assertThat(refusal(org, "page.jpg", "<html><body>hi</body></html>".getBytes(StandardCharsets.UTF_8), 422).get("detail").asString())
        .contains("an HTML document");
    assertThat(refusal(org, "icon.gif", "<svg xmlns='http://www.w3.org/2000/svg'/>".getBytes(StandardCharsets.UTF_8), 422)
        .get("detail").asString()).contains("an SVG image");
    assertThat(library.list(org.id())).isEmpty();
    MockHttpServletResponse noFile = mvc.perform(api(org, post("/api/v1/orgs/" + org.slug() + "/media")
        .contentType("application/json").content("{}"))).andReturn().getResponse();
    assertThat(noFile.getStatus()).isEqualTo(415);
    assertThat(noFile.getContentAsString()).contains("'file' part");
  }

  @Test
  void a_file_over_the_limit_and_one_the_allowance_cannot_take_are_refused_with_the_limits() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Limits", "campaigns:write");
    byte[] big = MediaImages.noisePng(40, 40, 1);
    assertThat(big.length).isGreaterThan(2048);
    assertThat(refusal(org, "big.png", big, 422).get("detail").asString())
        .startsWith("Too large: the file is ").endsWith("; an image may be at most 2 KB.");

    long used = 0;
    int seed = 2;
    byte[] next = MediaImages.noisePng(20, 20, seed);
    while (used + next.length <= 6 * 1024) { // each about 1.3 KB: four fit in 6 KB, the fifth does not
      upload(org, "n" + seed + ".png", next, 201);
      used += next.length;
      next = MediaImages.noisePng(20, 20, ++seed);
    }
    assertThat(seed).as("images that fit").isGreaterThan(3);
    JsonNode full = refusal(org, "one-more.png", next, 422);
    assertThat(full.get("errors").get(0).get("field").asString()).isEqualTo("file");
    assertThat(full.get("detail").asString()).startsWith("The media library is full: it holds ").contains("of 6 KB");
    assertThat(library.usage(org.id()).used()).isEqualTo(used);
  }

  @Test
  void another_organizations_image_is_not_found_and_stays() throws Exception {
    TestOrganizations.Created alpha = organizations.create("Media Alpha", "campaigns:write");
    TestOrganizations.Created beta = organizations.create("Media Beta", "campaigns:write");
    long id = upload(alpha, "alpha.png", MediaImages.image("png", 3, 3, Color.YELLOW), 201).get("id").asLong();
    assertThat(mvc.perform(api(beta, get("/api/v1/orgs/" + beta.slug() + "/media/" + id))).andReturn().getResponse().getStatus())
        .isEqualTo(404);
    assertThat(mvc.perform(api(beta, delete("/api/v1/orgs/" + beta.slug() + "/media/" + id))).andReturn().getResponse().getStatus())
        .isEqualTo(404);
    assertThat(mvc.perform(post("/o/" + beta.slug() + "/media/" + id + "/delete").with(csrf()).with(organizations.asOwner(beta)))
        .andReturn().getResponse().getStatus()).isEqualTo(404);
    assertThat(mvc.perform(api(beta, get("/api/v1/orgs/" + beta.slug() + "/media"))).andReturn().getResponse().getContentAsString())
        .doesNotContain("alpha.png");
    assertThat(library.find(alpha.id(), id)).isPresent();
  }

  @Test
  void the_panel_keeps_the_good_files_of_a_batch_and_names_each_refused_one() throws Exception {
    TestOrganizations.Created org = organizations.create("Media Panel", "campaigns:read");
    var result = mvc.perform(multipart("/o/" + org.slug() + "/media")
        .file(new MockMultipartFile("file", "good.png", "image/png", MediaImages.image("png", 6, 6, Color.PINK)))
        .file(new MockMultipartFile("file", "evil.png", "image/png", "<svg/>".getBytes(StandardCharsets.UTF_8)))
        .with(csrf()).with(organizations.asOwner(org))).andReturn();
    assertThat(result.getResponse().getRedirectedUrl()).isEqualTo("/o/" + org.slug() + "/media");
    assertThat(String.valueOf(result.getFlashMap().get("notice"))).contains("good.png");
    assertThat(String.valueOf(result.getFlashMap().get("errors"))).contains("evil.png: Unsupported type", "an SVG image");
    assertThat(library.list(org.id())).extracting(MediaLibrary.Item::name).containsExactly("good.png");

    var none = mvc.perform(multipart("/o/" + org.slug() + "/media")
        .file(new MockMultipartFile("file", "evil.png", "image/png", "<svg/>".getBytes(StandardCharsets.UTF_8)))
        .with(csrf()).with(organizations.asOwner(org))).andReturn();
    assertThat(none.getResponse().getRedirectedUrl()).startsWith("/o/" + org.slug() + "/media");
    assertThat(String.valueOf(none.getFlashMap().get("errors"))).contains("file=evil.png: Unsupported type");

    String page = mvc.perform(get("/o/" + org.slug() + "/media").with(organizations.asOwner(org))).andReturn().getResponse()
        .getContentAsString();
    assertThat(page).contains("good.png", "PNG · ", "6 × 6", library.list(org.id()).getFirst().url(), "Mail already sent that shows this image");

    long id = library.list(org.id()).getFirst().id();
    var deleted = mvc.perform(post("/o/" + org.slug() + "/media/" + id + "/delete").with(csrf()).with(organizations.asOwner(org)))
        .andReturn();
    assertThat(String.valueOf(deleted.getFlashMap().get("notice"))).contains("Deleted good.png", "broken image");
    assertThat(library.list(org.id())).isEmpty();
  }

  @Test
  void the_api_is_in_the_openapi_document_with_the_upload_part_and_the_item_fields() throws Exception {
    JsonNode doc = json.readTree(mvc.perform(get("/api/openapi.json")).andReturn().getResponse().getContentAsString());
    JsonNode list = doc.at("/paths/~1api~1v1~1orgs~1{org}~1media");
    assertThat(list.has("get")).isTrue();
    assertThat(list.at("/post/requestBody/content/multipart~1form-data/schema/properties/file/format").asString()).isEqualTo("binary");
    JsonNode one = doc.at("/paths/~1api~1v1~1orgs~1{org}~1media~1{id}");
    assertThat(one.has("get") && one.has("delete")).isTrue();
    JsonNode item = doc.at("/components/schemas/MediaItem");
    assertThat(item.get("properties").propertyNames()).containsExactlyInAnyOrder("id", "name", "type", "size", "width", "height",
        "url", "created");
    assertThat(item.at("/properties/type/enum").toString()).contains("image/png", "image/jpeg", "image/gif", "image/webp");
    assertThat(doc.at("/components/schemas/MediaPage/properties/items/items/$ref").asString()).endsWith("/MediaItem");
  }

  @Test
  void the_service_refuses_like_the_api() {
    TestOrganizations.Created org = organizations.create("Media Service", "campaigns:read");
    assertThatThrownBy(() -> library.add(org.id(), "x.png", new byte[3000]))
        .isInstanceOf(Refused.class).hasMessageContaining("Too large");
  }

  private JsonNode upload(TestOrganizations.Created org, String name, byte[] content, int status) throws Exception {
    MockHttpServletResponse r = mvc.perform(api(org, multipart("/api/v1/orgs/" + org.slug() + "/media")
        .file(new MockMultipartFile("file", name, "application/octet-stream", content)))).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(status);
    return json.readTree(r.getContentAsString());
  }

  private JsonNode refusal(TestOrganizations.Created org, String name, byte[] content, int status) throws Exception {
    JsonNode body = upload(org, name, content, status);
    assertThat(body.get("status").asInt()).isEqualTo(status);
    return body;
  }

  private static <B extends AbstractMockHttpServletRequestBuilder<B>> B api(TestOrganizations.Created org, B request) {
    return request.header("Authorization", "Bearer " + org.apiKey());
  }
}
