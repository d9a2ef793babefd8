package dev.herald.content;

import dev.herald.platform.Refused;
import java.io.IOException;
import java.io.UncheckedIOException;
import org.springframework.web.multipart.MultipartFile;

/** An uploaded file part as the library takes it: its size checked before its bytes are read into memory. */
final class MediaUploads {
  private MediaUploads() {}

  static MediaLibrary.Added add(MediaLibrary library, long orgId, MultipartFile file) {
    if (file == null || file.getOriginalFilename() == null || (file.getOriginalFilename().isEmpty() && file.isEmpty())) {
      throw Refused.invalid(MediaProbe.FIELD, "Choose an image file (PNG, JPEG, GIF or WebP).");
    }
    library.checkSize(file.getSize());
    try {
      return library.add(orgId, file.getOriginalFilename(), file.getBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
