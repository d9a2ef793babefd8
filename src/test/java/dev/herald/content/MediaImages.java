package dev.herald.content;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import javax.imageio.ImageIO;

/** Real images for the media tests: PNG, JPEG and GIF written by the JDK's ImageIO, WebP written by hand. */
final class MediaImages {
  private MediaImages() {}

  /** An image of one colour (a few hundred bytes). */
  static byte[] image(String format, int width, int height, Color colour) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    var g = image.createGraphics();
    g.setColor(colour);
    g.fillRect(0, 0, width, height);
    g.dispose();
    return write(format, image);
  }

  /** A PNG of random pixels: about 3 bytes per pixel, as PNG cannot compress noise, and different for each seed. */
  static byte[] noisePng(int width, int height, long seed) {
    BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Random random = new Random(seed);
    for (int y = 0; y < height; y++) {
      for (int x = 0; x < width; x++) image.setRGB(x, y, random.nextInt(0x1000000));
    }
    return write("png", image);
  }

  /**
   * A complete 1 × 1 lossless WebP (34 bytes): RIFF header, a VP8L chunk whose header says 1 × 1 with alpha, and the
   * image's bitstream.
   */
  static byte[] webpLossless() {
    return bytes("RIFF", 0x1a, 0, 0, 0, "WEBP", "VP8L", 0x0d, 0, 0, 0, 0x2f, 0, 0, 0, 0x10, 0x07, 0x10, 0x11, 0x11, 0x88, 0x88,
        0xfe, 0x07, 0x00);
  }

  /** An extended (VP8X) WebP header for a 300 × 200 canvas, followed by a small VP8L chunk. */
  static byte[] webpExtended() {
    return bytes("RIFF", 0x20, 0, 0, 0, "WEBP", "VP8X", 10, 0, 0, 0, 0x10, 0, 0, 0, 0x2b, 0x01, 0, 0xc7, 0, 0,
        "VP8L", 2, 0, 0, 0, 0x2f, 0);
  }

  /** A lossy (VP8) WebP key frame header for 640 × 480. */
  static byte[] webpLossy() {
    return bytes("RIFF", 0x1c, 0, 0, 0, "WEBP", "VP8 ", 0x10, 0, 0, 0, 0x30, 0x01, 0x00, 0x9d, 0x01, 0x2a, 0x80, 0x02, 0xe0, 0x01,
        0, 0, 0, 0, 0, 0);
  }

  private static byte[] write(String format, BufferedImage image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      if (!ImageIO.write(image, format, out)) throw new IllegalStateException("no ImageIO writer for " + format);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Strings as ASCII, numbers as one byte each. */
  static byte[] bytes(Object... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object p : parts) {
      if (p instanceof String s) out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
      else out.write((Integer) p);
    }
    return out.toByteArray();
  }
}
