package dev.herald.audiences;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;

/**
 * A JSON array of subscriber objects, {@code [{"email": "...", "name": "...", "fields": {"city": "..."}}, ...]}, read
 * one object at a time with Jackson's streaming parser.
 *
 * <p>Each key is a column: top-level keys by their name, keys inside "fields" as "fields.&lt;key&gt;". A stream can't
 * be looked ahead, so a key first seen in a later object is appended to {@link #headers()} when that object is read;
 * every row has one cell per column known at that point. Strings, numbers (as written), booleans and null ("") are
 * cells; an array of those is one cell, joined with commas (so "tags": ["a", "b"] reads as "a,b"). Any other object
 * or array (Herald's own export has "lists" and "consent" as arrays of objects) is one cell holding its JSON text,
 * which the mapping can read or leave out, but never loses silently. The row's line is where its object starts,
 * which is line 1 for every row of a file written without line breaks.
 */
final class SubscriberFileJsonReader extends SubscriberFileReader {
  private static final JsonFactory JSON = JsonFactory.builder()
      .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_CELL_CHARS).maxNestingDepth(16).build())
      .build();

  private final JsonParser parser;
  private final List<String> headers = new ArrayList<>();
  private final List<String> headersView = Collections.unmodifiableList(headers);
  private final Map<String, Integer> columns = new HashMap<>();
  private final List<String> values = new ArrayList<>();

  static SubscriberFileJsonReader open(InputStream in) {
    var reader = new SubscriberFileJsonReader(JSON.createParser(ObjectReadContext.empty(), in));
    reader.hasNext(); // read the first object now, so that headers() has its keys
    return reader;
  }

  private SubscriberFileJsonReader(JsonParser parser) {
    this.parser = parser;
    JsonToken first = parse(parser::nextToken);
    if (first == null) throw new SubscriberFileException(0, "The file is empty.");
    if (first != JsonToken.START_ARRAY) {
      throw new SubscriberFileException(line(), "a JSON import must be an array of subscribers: [{\"email\": \"...\"}, ...].");
    }
  }

  @Override
  public List<String> headers() {
    return headersView;
  }

  @Override
  public void close() throws IOException {
    parser.close(); // closes the stream too
  }

  @Override
  SubscriberFileRow readRow() {
    return parse(() -> {
      while (true) {
        JsonToken token = parser.nextToken();
        if (token == JsonToken.END_ARRAY) {
          if (parser.nextToken() != null) throw new SubscriberFileException(line(), "there is more after the closing ].");
          return null;
        }
        if (token != JsonToken.START_OBJECT) {
          throw new SubscriberFileException(line(), "expected a subscriber object {...} but found " + describe(token) + ".");
        }
        long line = line();
        values.clear();
        for (String name; (name = parser.nextName()) != null; ) {
          JsonToken value = parser.nextToken();
          if (name.equals("fields") && value == JsonToken.START_OBJECT) {
            for (String key; (key = parser.nextName()) != null; ) put("fields." + key, scalar(key, parser.nextToken()));
          } else {
            put(name, scalar(name, value));
          }
        }
        String[] cells = values.toArray(new String[headers.size()]);
        if (!blank(cells, values.size())) return SubscriberFileRow.of(line, cells, headers.size(), headers.size());
      }
    });
  }

  private void put(String column, String value) {
    int index = columns.computeIfAbsent(column, c -> {
      if (headers.size() == MAX_COLUMNS) throw new SubscriberFileException(line(), tooManyColumns());
      headers.add(c);
      return headers.size() - 1;
    });
    while (values.size() <= index) values.add("");
    values.set(index, value);
  }

  /** A value as cell text: a simple value as it is, a list of simple values joined with commas, anything else as JSON. */
  private String scalar(String name, JsonToken token) {
    return switch (token) {
      case VALUE_STRING, VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> parser.getString();
      case VALUE_TRUE -> "true";
      case VALUE_FALSE -> "false";
      case VALUE_NULL -> "";
      case START_ARRAY, START_OBJECT -> structure(name, token);
      default -> throw new SubscriberFileException(line(), "\"" + name + "\" holds " + describe(token) + ".");
    };
  }

  /** An array or object, read whole (it is at most a cell long): simple values joined, else its JSON text. */
  private String structure(String name, JsonToken start) {
    var text = new java.io.StringWriter();
    var joined = new StringBuilder();
    boolean simple = start == JsonToken.START_ARRAY;
    try (JsonGenerator out = JSON.createGenerator(ObjectWriteContext.empty(), text)) {
      out.copyCurrentEvent(parser);
      int depth = 1;
      while (depth > 0) {
        JsonToken t = parser.nextToken();
        if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) {
          depth++;
          simple = false;
        } else if (t == JsonToken.END_ARRAY || t == JsonToken.END_OBJECT) {
          depth--;
        } else if (simple) {
          if (!joined.isEmpty()) joined.append(',');
          joined.append(scalar(name, t));
        }
        out.copyCurrentEvent(parser);
        if (text.getBuffer().length() > MAX_CELL_CHARS) {
          throw new SubscriberFileException(line(), "\"" + name + "\" is longer than " + MAX_CELL_CHARS + " characters.");
        }
      }
    }
    return simple ? joined.toString() : text.toString();
  }

  private long line() {
    return parser.currentTokenLocation().getLineNr();
  }

  private static String describe(JsonToken token) {
    return switch (token) {
      case null -> "the end of the file";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "a list";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "true or false";
      case VALUE_NULL -> "null";
      default -> token.asString() == null ? token.name() : "'" + token.asString() + "'";
    };
  }

  /** Runs a parser step, turning Jackson's exceptions into ours (with the line) or into I/O failures. */
  private <T> T parse(java.util.function.Supplier<T> step) {
    try {
      return step.get();
    } catch (JacksonIOException e) {
      throw new UncheckedIOException((IOException) e.getCause());
    } catch (StreamConstraintsException e) {
      throw new SubscriberFileException(location(e), "a value is longer than " + MAX_CELL_CHARS
          + " characters or nested too deeply.", e);
    } catch (JacksonException e) {
      throw new SubscriberFileException(location(e), "this is not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  private static long location(JacksonException e) {
    return e.getLocation() == null ? 0 : Math.max(e.getLocation().getLineNr(), 0);
  }
}
