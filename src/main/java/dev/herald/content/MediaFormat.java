package dev.herald.content;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * The image formats the media library takes: those every mail client shows. Kept as the media type in
 * {@code media.content_type} and sent in JSON as it; the extension ends the image's public address.
 */
public enum MediaFormat implements TextEnum {
  PNG("image/png", "png", "PNG"),
  JPEG("image/jpeg", "jpg", "JPEG"),
  GIF("image/gif", "gif", "GIF"),
  WEBP("image/webp", "webp", "WebP");

  private final String text;
  private final String extension;
  private final String label;

  MediaFormat(String text, String extension, String label) {
    this.text = text;
    this.extension = extension;
    this.label = label;
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** The extension of its public address, without the dot: {@code png}, {@code jpg}. */
  public String extension() {
    return extension;
  }

  /** As people name it: "PNG", "WebP". */
  public String label() {
    return label;
  }
}
