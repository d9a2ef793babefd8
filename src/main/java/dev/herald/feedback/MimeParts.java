package dev.herald.feedback;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.james.mime4j.codec.DecodeMonitor;
import org.apache.james.mime4j.codec.DecoderUtil;
import org.apache.james.mime4j.stream.BodyDescriptor;
import org.apache.james.mime4j.stream.EntityState;
import org.apache.james.mime4j.stream.Field;
import org.apache.james.mime4j.stream.MimeConfig;
import org.apache.james.mime4j.stream.MimeTokenStream;
import org.apache.james.mime4j.stream.RecursionMode;
import org.apache.james.mime4j.util.MimeUtil;

/**
 * A message as its top-level headers and a flat list of leaf parts with their decoded text, read with Mime4j's
 * streaming parser in permissive mode. Returned messages (message/rfc822) are kept as text, not parsed further:
 * only their headers matter, and {@link Headers} reads those. Everything is bounded: the input is cut at
 * {@link #MAX_INPUT} bytes, at most {@link #MAX_PARTS} parts are kept, each part's text at most {@link #MAX_PART_TEXT}
 * characters and the headers at most {@link #MAX_FIELDS} fields of {@link #MAX_FIELD_VALUE} characters.
 */
record MimeParts(Headers headers, List<Part> parts) {
  static final int MAX_INPUT = 2 * 1024 * 1024;
  static final int MAX_PARTS = 64;
  static final int MAX_PART_TEXT = 128 * 1024;
  static final int MAX_FIELDS = 500;
  /** A header field's value is cut to this many characters: no field that matters is longer. */
  static final int MAX_FIELD_VALUE = 8 * 1024;

  /** One leaf: its media type ("text/plain"), lower case, and its decoded text. */
  record Part(String mimeType, String text) {
    boolean is(String type) {
      return mimeType.equals(type);
    }
  }

  static MimeParts read(byte[] raw) {
    byte[] input = raw == null ? new byte[0] : raw;
    int length = Math.min(input.length, MAX_INPUT);
    int start = mboxLineEnd(input, length);
    MimeConfig config = MimeConfig.custom().setStrictParsing(false).setMaxLineLen(-1).setMaxHeaderLen(-1)
        .setMaxHeaderCount(-1).setMaxContentLen(-1).setMalformedHeaderStartsBody(false).build();
    MimeTokenStream stream = new MimeTokenStream(config);
    stream.setRecursionMode(RecursionMode.M_NO_RECURSE);
    Map<String, List<String>> top = new LinkedHashMap<>();
    List<Part> parts = new ArrayList<>();
    int fields = 0;
    try {
      stream.parse(new ByteArrayInputStream(input, start, length - start));
      boolean inTopHeader = true;
      for (EntityState state = stream.getState(); state != EntityState.T_END_OF_STREAM; state = stream.next()) {
        switch (state) {
          case T_FIELD -> {
            if (inTopHeader && fields++ < MAX_FIELDS) {
              Field field = stream.getField();
              top.computeIfAbsent(field.getName().toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(value(field));
            }
          }
          case T_END_HEADER -> inTopHeader = false;
          case T_BODY -> {
            if (parts.size() < MAX_PARTS) {
              BodyDescriptor body = stream.getBodyDescriptor();
              parts.add(new Part(body.getMimeType().toLowerCase(Locale.ROOT), text(stream.getDecodedInputStream(), body.getCharset())));
            }
          }
          default -> {}
        }
        if (parts.size() >= MAX_PARTS) break;
      }
    } catch (Exception | StackOverflowError e) {
      // Permissive: whatever was read before the damage is still worth classifying.
    }
    return new MimeParts(new Headers(top), parts);
  }

  /** Past an mbox "From " line, which a message saved from a mailbox may start with; else 0. */
  private static int mboxLineEnd(byte[] input, int length) {
    if (length < 5 || input[0] != 'F' || input[1] != 'r' || input[2] != 'o' || input[3] != 'm' || input[4] != ' ') return 0;
    for (int i = 5; i < length; i++) {
      if (input[i] == '\n') return i + 1;
    }
    return 0;
  }

  /** The field's value unfolded, with RFC 2047 encoded words decoded. */
  private static String value(Field field) {
    String body = field.getBody() == null ? "" : field.getBody();
    if (body.length() > MAX_FIELD_VALUE) body = body.substring(0, MAX_FIELD_VALUE);
    try {
      return DecoderUtil.decodeEncodedWords(MimeUtil.unfold(body), DecodeMonitor.SILENT).strip();
    } catch (RuntimeException e) {
      return body.strip();
    }
  }

  private static String text(InputStream in, String charsetName) throws IOException {
    byte[] bytes = in.readNBytes(MAX_PART_TEXT);
    Charset charset = StandardCharsets.ISO_8859_1;
    try {
      if (charsetName != null && !charsetName.isBlank() && !charsetName.equalsIgnoreCase("us-ascii")) {
        charset = Charset.forName(charsetName.strip());
      }
    } catch (RuntimeException e) {
      // Unknown charset: Latin-1 keeps every byte, and the words that matter are ASCII.
    }
    return new String(bytes, charset);
  }

  /** The first part of this type, or null. */
  Part first(String mimeType) {
    for (Part p : parts) {
      if (p.is(mimeType)) return p;
    }
    return null;
  }
}
