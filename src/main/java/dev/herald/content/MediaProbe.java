package dev.herald.content;

import dev.herald.platform.Refused;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.zip.CRC32;

/**
 * What an uploaded file is, read from its content alone (never its name or the type the browser claimed): the magic
 * bytes say which of the four formats it claims to be, and that format's header must then parse and give the width
 * and height. Only headers are read, never pixels, so a huge or hostile image costs nothing to check; the readers are
 * plain Java over the byte array (no native decoder sees uploaded bytes).
 */
final class MediaProbe {
  /** The field every refusal names: the upload's file part. */
  static final String FIELD = "file";
  private static final String ACCEPTED = "Upload a PNG, JPEG, GIF or WebP image.";

  record Image(MediaFormat format, int width, int height) {}

  private MediaProbe() {}

  static Image probe(byte[] b) {
    if (b.length == 0) throw Refused.invalid(FIELD, "The file is empty. " + ACCEPTED);
    MediaFormat format = format(b);
    if (format == null) throw Refused.invalid(FIELD, "Unsupported type: the file is " + describe(b) + ". " + ACCEPTED);
    Image image;
    try {
      image = switch (format) {
        case PNG -> png(b);
        case JPEG -> jpeg(b);
        case GIF -> gif(b);
        case WEBP -> webp(b);
      };
    } catch (IndexOutOfBoundsException truncated) {
      image = null;
    }
    if (image == null || image.width() < 1 || image.height() < 1) {
      throw Refused.invalid(FIELD, "The file starts like a " + format.label() + " image, but its header cannot be read:"
          + " it is damaged or was cut short. " + ACCEPTED);
    }
    return image;
  }

  /** The format the magic bytes claim, or null. */
  static MediaFormat format(byte[] b) {
    if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) return MediaFormat.PNG;
    if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) return MediaFormat.JPEG;
    if (startsWith(b, 0, 'G', 'I', 'F', '8', '7', 'a') || startsWith(b, 0, 'G', 'I', 'F', '8', '9', 'a')) return MediaFormat.GIF;
    if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) return MediaFormat.WEBP;
    return null;
  }

  /** IHDR must follow the signature, with its CRC, a known colour type and a bit depth that type allows. */
  private static Image png(byte[] b) {
    if (be32(b, 8) != 13 || !startsWith(b, 12, 'I', 'H', 'D', 'R')) return null;
    CRC32 crc = new CRC32();
    crc.update(b, 12, 17);
    if ((crc.getValue() & 0xFFFFFFFFL) != (be32(b, 29) & 0xFFFFFFFFL)) return null;
    int depth = u8(b, 24), colour = u8(b, 25);
    boolean valid = switch (colour) {
      case 0 -> depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
      case 3 -> depth == 1 || depth == 2 || depth == 4 || depth == 8;
      case 2, 4, 6 -> depth == 8 || depth == 16;
      default -> false;
    };
    if (!valid || u8(b, 26) != 0 || u8(b, 27) != 0 || u8(b, 28) > 1) return null;
    return new Image(MediaFormat.PNG, be32(b, 16), be32(b, 20));
  }

  /** The segments up to the first start-of-frame, which holds the size; a scan or the end before it is a broken file. */
  private static Image jpeg(byte[] b) {
    int i = 2;
    while (true) {
      if (u8(b, i) != 0xFF) return null;
      while (u8(b, i) == 0xFF) i++; // fill bytes
      int marker = u8(b, i++);
      if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue; // no length
      if (marker == 0xD8 || marker == 0xD9 || marker == 0xDA) return null;
      int length = be16(b, i);
      if (length < 2) return null;
      boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
      if (startOfFrame) return length < 8 ? null : new Image(MediaFormat.JPEG, be16(b, i + 5), be16(b, i + 3));
      i += length;
    }
  }

  /** The logical screen size, and the block after it must be an image, an extension or a colour table. */
  private static Image gif(byte[] b) {
    int packed = u8(b, 10);
    int next = 13 + ((packed & 0x80) != 0 ? 3 * (1 << ((packed & 0x07) + 1)) : 0);
    int block = u8(b, next);
    if (block != 0x2C && block != 0x21) return null;
    return new Image(MediaFormat.GIF, le16(b, 6), le16(b, 8));
  }

  /** RIFF's size must fit the file; the first chunk is VP8 (lossy), VP8L (lossless) or VP8X (extended), each read by hand. */
  private static Image webp(byte[] b) {
    long riff = le32(b, 4) & 0xFFFFFFFFL;
    if (riff < 12 || riff + 8 > b.length) return null;
    String chunk = new String(b, 12, 4, StandardCharsets.US_ASCII);
    long size = le32(b, 16) & 0xFFFFFFFFL;
    if (size + 20 > riff + 8) return null;
    int d = 20;
    return switch (chunk) {
      case "VP8 " -> {
        // A key frame (bit 0 of the frame tag clear), its start code, then 14-bit width and height.
        if ((u8(b, d) & 1) != 0 || !startsWith(b, d + 3, 0x9D, 0x01, 0x2A)) yield null;
        yield new Image(MediaFormat.WEBP, le16(b, d + 6) & 0x3FFF, le16(b, d + 8) & 0x3FFF);
      }
      case "VP8L" -> {
        if (u8(b, d) != 0x2F) yield null;
        int bits = le32(b, d + 1);
        if ((bits >>> 29) != 0) yield null; // version 0 only
        yield new Image(MediaFormat.WEBP, (bits & 0x3FFF) + 1, ((bits >>> 14) & 0x3FFF) + 1);
      }
      case "VP8X" -> {
        if (size < 10) yield null;
        yield new Image(MediaFormat.WEBP, le24(b, d + 4) + 1, le24(b, d + 7) + 1);
      }
      default -> null;
    };
  }

  /** Words for what a refused file is, for the message that refuses it. */
  static String describe(byte[] b) {
    if (startsWith(b, 0, 'M', 'Z')) return "a Windows program (.exe)";
    if (startsWith(b, 0, 0x7F, 'E', 'L', 'F')) return "a program (ELF)";
    if (startsWith(b, 0, '%', 'P', 'D', 'F')) return "a PDF document";
    if (startsWith(b, 0, 'P', 'K', 3, 4)) return "a ZIP archive (or an Office document)";
    if (startsWith(b, 0, 'B', 'M')) return "a BMP image";
    if (startsWith(b, 0, 'I', 'I', '*', 0) || startsWith(b, 0, 'M', 'M', 0, '*')) return "a TIFF image";
    if (startsWith(b, 0, 0, 0, 1, 0)) return "an icon (.ico)";
    if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
      String brand = new String(b, 8, Math.min(4, b.length - 8), StandardCharsets.US_ASCII);
      return brand.startsWith("avi") ? "an AVIF image" : brand.startsWith("he") || brand.startsWith("mif") ? "a HEIC image"
          : "an MP4 or QuickTime file";
    }
    if (startsWith(b, 0, 'R', 'I', 'F', 'F')) return "a RIFF file that is not WebP (a WAV or AVI file)";
    String start = new String(b, 0, Math.min(b.length, 1024), StandardCharsets.ISO_8859_1).stripLeading()
        .replace("\u00EF\u00BB\u00BF", "").toLowerCase(Locale.ROOT);
    if (start.contains("<svg")) return "an SVG image (SVG can carry scripts, so it is not accepted)";
    if (start.startsWith("<!doctype html") || start.startsWith("<html") || start.contains("<script")) return "an HTML document";
    if (start.startsWith("<")) return "an XML or HTML document";
    return "not an image Herald recognizes";
  }

  private static boolean startsWith(byte[] b, int offset, int... expected) {
    if (b.length < offset + expected.length) return false;
    for (int i = 0; i < expected.length; i++) {
      if ((b[offset + i] & 0xFF) != expected[i]) return false;
    }
    return true;
  }

  private static int u8(byte[] b, int i) {
    return b[i] & 0xFF;
  }

  private static int be16(byte[] b, int i) {
    return (u8(b, i) << 8) | u8(b, i + 1);
  }

  private static int be32(byte[] b, int i) {
    return (be16(b, i) << 16) | be16(b, i + 2);
  }

  private static int le16(byte[] b, int i) {
    return u8(b, i) | (u8(b, i + 1) << 8);
  }

  private static int le24(byte[] b, int i) {
    return le16(b, i) | (u8(b, i + 2) << 16);
  }

  private static int le32(byte[] b, int i) {
    return le16(b, i) | (le16(b, i + 2) << 16);
  }
}
