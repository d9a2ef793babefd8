package dev.herald.testsupport;

import java.io.IOException;
import java.net.CookieManager;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A cookie-keeping HTTP client for end-to-end tests over a real socket: it reads the CSRF token from
 * the last page it fetched and sends it with the next form, as a browser does.
 */
public final class WebClient {
  private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+value=\"([^\"]+)\"|value=\"([^\"]+)\"\\s+name=\"_csrf\"");
  private final String base;
  private final HttpClient http;
  private String csrf;

  public record Page(int status, String body, String location) {
    public String locationPath() {
      return location == null ? null : URI.create(location).getPath();
    }
  }

  public WebClient(int port) {
    this.base = "http://127.0.0.1:" + port;
    this.http = HttpClient.newBuilder().cookieHandler(new CookieManager()).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  /** GET, following redirects inside the application. */
  public Page get(String path) {
    return getHtml(path);
  }

  /** GET as a browser asks for a page (Accept: text/html), following redirects inside the application. */
  public Page getHtml(String path) {
    Page page = send(HttpRequest.newBuilder(URI.create(base + path)).header("Accept", "text/html").GET().build());
    for (int hops = 0; page.status() / 100 == 3 && page.location() != null && hops < 5; hops++) {
      page = send(HttpRequest.newBuilder(URI.create(base).resolve(page.location())).header("Accept", "text/html").GET().build());
    }
    return page;
  }

  /** POSTs a form with the CSRF token of the last page; does not follow the redirect. */
  public Page post(String path, Map<String, String> fields) {
    Map<String, String> all = new LinkedHashMap<>(fields);
    if (csrf != null) all.put("_csrf", csrf);
    String body = all.entrySet().stream()
        .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build());
  }

  /** GETs {@code formPage} (for its CSRF token), then posts the form to {@code action}. */
  public Page submit(String formPage, String action, Map<String, String> fields) {
    get(formPage);
    return post(action, fields);
  }

  private Page send(HttpRequest request) {
    try {
      HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
      Matcher m = CSRF.matcher(r.body());
      if (m.find()) csrf = m.group(1) != null ? m.group(1) : m.group(2);
      return new Page(r.statusCode(), r.body(), r.headers().firstValue("Location").orElse(null));
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
