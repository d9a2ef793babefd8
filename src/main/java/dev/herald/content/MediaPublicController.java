package dev.herald.content;

import java.time.Duration;
import org.springframework.http.CacheControl;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/**
 * The media library's images on the public origin, where mail readers fetch them: {@code /m/<key>.<ext>}, anonymous,
 * no cookies. An image never changes at its address (a new upload gets a new key), so it is cached for a year as
 * immutable; its ETag is its SHA-256, and a conditional request is answered 304. The type sent is the one read from
 * the content at upload, with {@code nosniff} and a policy that lets nothing in it run or load, should a browser
 * open it as a page.
 */
@RestController
class MediaPublicController {
  static final String CONTENT_SECURITY_POLICY = "default-src 'none'";
  private final MediaLibrary library;

  MediaPublicController(MediaLibrary library) {
    this.library = library;
  }

  @GetMapping("/m/{file}")
  ResponseEntity<byte[]> image(@PathVariable String file) {
    int dot = file.lastIndexOf('.');
    MediaLibrary.Stored image = (dot < 0 ? java.util.Optional.<MediaLibrary.Stored>empty()
        : library.stored(file.substring(0, dot), file.substring(dot + 1)))
        .orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType(image.type().text()))
        .eTag(image.etag())
        .cacheControl(CacheControl.maxAge(Duration.ofDays(365)).cachePublic().immutable())
        .header("X-Content-Type-Options", "nosniff")
        .header("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        .body(image.content());
  }
}
