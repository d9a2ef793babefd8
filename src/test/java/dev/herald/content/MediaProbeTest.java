package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import java.awt.Color;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The media library tells an image's type and size from its content alone, and names what it refuses. */
class MediaProbeTest {
  @Test
  void png_jpeg_and_gif_written_by_imageio_are_recognised_with_their_size() {
    assertThat(MediaProbe.probe(MediaImages.image("png", 37, 21, Color.RED))).isEqualTo(new MediaProbe.Image(MediaFormat.PNG, 37, 21));
    assertThat(MediaProbe.probe(MediaImages.image("jpeg", 640, 3, Color.BLUE))).isEqualTo(new MediaProbe.Image(MediaFormat.JPEG, 640, 3));
    assertThat(MediaProbe.probe(MediaImages.image("gif", 5, 300, Color.GREEN))).isEqualTo(new MediaProbe.Image(MediaFormat.GIF, 5, 300));
  }

  @Test
  void webp_lossless_extended_and_lossy_headers_are_read_by_hand() {
    assertThat(MediaProbe.probe(MediaImages.webpLossless())).isEqualTo(new MediaProbe.Image(MediaFormat.WEBP, 1, 1));
    assertThat(MediaProbe.probe(MediaImages.webpExtended())).isEqualTo(new MediaProbe.Image(MediaFormat.WEBP, 300, 200));
    assertThat(MediaProbe.probe(MediaImages.webpLossy())).isEqualTo(new MediaProbe.Image(MediaFormat.WEBP, 640, 480));
  }

  @Test
  void a_program_a_page_or_an_svg_is_refused_by_content_whatever_it_is_called() {
    byte[] exe = MediaImages.bytes("MZ", 0x90, 0, 3, 0, "This program cannot be run in DOS mode.");
    assertRefused(exe, "Unsupported type: the file is a Windows program (.exe)");
    assertRefused(text("<!DOCTYPE html><html><script>alert(1)</script></html>"), "Unsupported type: the file is an HTML document");
    assertRefused(text("\uFEFF  <?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
        "Unsupported type: the file is an SVG image");
    assertRefused(text("%PDF-1.7\n"), "a PDF document");
    assertRefused(MediaImages.bytes("BM", 0, 0, 0, 0, 0, 0, 0, 0), "a BMP image");
    assertRefused(MediaImages.bytes(0, 0, 0, 0x1c, "ftypavif", 0, 0, 0, 0), "an AVIF image");
    assertRefused(text("just words"), "not an image Herald recognizes");
    assertRefused(new byte[0], "The file is empty");
  }

  @Test
  void a_file_that_only_starts_like_an_image_is_refused_as_damaged() {
    byte[] png = MediaImages.image("png", 10, 10, Color.BLACK);
    assertRefused(Arrays.copyOf(png, 20), "starts like a PNG image, but its header cannot be read");
    byte[] badCrc = png.clone();
    badCrc[17] ^= 1; // the width changes, the CRC no longer matches
    assertRefused(badCrc, "starts like a PNG image");
    assertRefused(Arrays.copyOf(MediaImages.image("jpeg", 10, 10, Color.BLACK), 12), "starts like a JPEG image");
    assertRefused(MediaImages.bytes(0xFF, 0xD8, 0xFF, 0xDA, 0, 4, 0, 0), "starts like a JPEG image"); // a scan before any frame
    assertRefused(Arrays.copyOf(MediaImages.image("gif", 10, 10, Color.BLACK), 11), "starts like a GIF image");
    byte[] webp = MediaImages.webpLossless();
    assertRefused(Arrays.copyOf(webp, 30), "starts like a WebP image"); // RIFF says more than there is
    byte[] unknownChunk = webp.clone();
    unknownChunk[14] = '9'; // "VP9L": no WebP bitstream
    assertRefused(unknownChunk, "starts like a WebP image");
  }

  @Test
  void the_display_name_keeps_no_folders_controls_or_direction_tricks() {
    assertThat(MediaLibrary.displayName("C:\\Users\\ann\\logo.png", MediaFormat.PNG)).isEqualTo("logo.png");
    assertThat(MediaLibrary.displayName("../../etc/x.gif", MediaFormat.GIF)).isEqualTo("x.gif");
    assertThat(MediaLibrary.displayName("photo\u202Egpj.exe", MediaFormat.JPEG)).isEqualTo("photogpj.exe");
    assertThat(MediaLibrary.displayName("a\u0000b\tc  d.png", MediaFormat.PNG)).isEqualTo("ab c d.png");
    assertThat(MediaLibrary.displayName("  ", MediaFormat.WEBP)).isEqualTo("image.webp");
    assertThat(MediaLibrary.displayName(null, MediaFormat.JPEG)).isEqualTo("image.jpg");
    assertThat(MediaLibrary.displayName("x".repeat(500), MediaFormat.PNG)).hasSize(200);
  }

  @Test
  void sizes_are_told_in_words() {
    assertThat(MediaLibrary.bytesInWords(1)).isEqualTo("1 byte");
    assertThat(MediaLibrary.bytesInWords(1536)).isEqualTo("1.5 KB");
    assertThat(MediaLibrary.bytesInWords(5L * 1024 * 1024)).isEqualTo("5 MB");
  }

  private static byte[] text(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertRefused(byte[] content, String message) {
    assertThatThrownBy(() -> MediaProbe.probe(content)).isInstanceOfSatisfying(Refused.class, r -> {
      assertThat(r.refusal()).isInstanceOf(Refusal.Invalid.class);
      assertThat(r.field()).isEqualTo("file");
      assertThat(r.getMessage()).contains(message).contains("Upload a PNG, JPEG, GIF or WebP image.");
    });
  }
}
