package dev.herald.audiences;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/** JSON arrays of subscriber objects, streamed. */
class SubscriberFileJsonTest {
  record Read(List<String> headers, List<SubscriberFileRow> rows) {}

  static Read json(String text) {
    try (var file = SubscriberFileReader.open(new ByteArrayInputStream(text.getBytes(UTF_8)), SubscriberFileFormat.JSON)) {
      List<SubscriberFileRow> rows = file.rows().toList();
      return new Read(List.copyOf(file.headers()), rows);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Regression: only CSV and XLSX rows were bounded; JSON objects add a column for every new key. */
  @Test
  void more_than_500_distinct_keys_are_refused_naming_the_line() {
    var file = new StringBuilder("[{\"email\": \"a@example.com\"},\n{\"email\": \"b@example.com\"");
    for (int i = 0; i < 499; i++) file.append(", \"k").append(i).append("\": 1");
    assertThat(json(file + "}]").headers()).hasSize(500);
    assertThatThrownBy(() -> json(file + ",\n\"fields\": {\"one_more\": 1}}]"))
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageContaining("more than 500 columns");
  }

  @Test
  void objects_become_rows_and_keys_become_columns() {
    Read read = json("""
        [
          {"email": "a@example.com", "name": "Ann \\"A\\" Lee", "fields": {"city": "Berlin", "age": 41}},
          {"email": "b@example.com", "name": null, "tags": ["vip", "newsletter"], "fields": {"city": "Köln"},
           "active": true}
        ]
        """);
    assertThat(read.headers()).containsExactly("email", "name", "fields.city", "fields.age", "tags", "active");
    assertThat(read.rows().get(0).line()).isEqualTo(2);
    assertThat(read.rows().get(0).cells()).containsExactly("a@example.com", "Ann \"A\" Lee", "Berlin", "41");
    assertThat(read.rows().get(1).line()).isEqualTo(3);
    assertThat(read.rows().get(1).cells()).containsExactly("b@example.com", "", "Köln", "", "vip,newsletter", "true");
    assertThat(read.rows()).noneMatch(SubscriberFileRow::cellCountMismatch);
    assertThat(SubscriberFileReader.suggestMapping(read.headers())).containsEntry("email", "email")
        .containsEntry("name", "name").containsEntry("fields.city", "field:city").containsEntry("tags", "tags");
  }

  @Test
  void headers_are_known_after_open_from_the_first_object() throws IOException {
    var in = new ByteArrayInputStream("[{\"email\":\"a@example.com\",\"name\":\"Ann\"}]".getBytes(UTF_8));
    try (var file = SubscriberFileReader.open(in, SubscriberFileFormat.JSON)) {
      assertThat(file.headers()).containsExactly("email", "name");
      assertThat(file.next().cells()).containsExactly("a@example.com", "Ann");
      assertThat(file.hasNext()).isFalse();
    }
  }

  /** Regression: Herald's own JSON export ("lists" and "consent" are arrays of objects) was refused. */
  @Test
  void objects_and_lists_of_objects_are_kept_as_their_json_text_not_refused() {
    var read = json("[{\"email\": \"a@example.com\", \"address\": {\"city\": \"Berlin\"},"
        + " \"lists\": [{\"listName\": \"News\", \"status\": \"subscribed\"}], \"tags\": [\"a\", \"b\"], \"none\": []}]");
    assertThat(read.headers()).containsExactly("email", "address", "lists", "tags", "none");
    assertThat(read.rows().get(0).cells()).containsExactly("a@example.com", "{\"city\":\"Berlin\"}",
        "[{\"listName\":\"News\",\"status\":\"subscribed\"}]", "a,b", "");
  }

  @Test
  void empty_and_malformed_files_are_refused_with_the_line() {
    assertThat(json("[]").rows()).isEmpty();
    assertThat(json("[{}, {\"email\": \"\"}]").rows()).as("blank objects are skipped").isEmpty();
    assertThatThrownBy(() -> json("")).hasMessage("The file is empty.");
    assertThatThrownBy(() -> json("{\"email\": \"a@example.com\"}")).hasMessageContaining("must be an array");
    assertThatThrownBy(() -> json("[\n{\"email\": \"a@example.com\"},\n\"b@example.com\"\n]"))
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageContaining("expected a subscriber object");
    assertThatThrownBy(() -> json("[\n{\"email\": \"a@example.com\"},\n{\"email\": }]"))
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageStartingWith("this is not valid JSON");
    assertThatThrownBy(() -> json("[{\"email\": \"a@example.com\"}")).isInstanceOf(SubscriberFileException.class);
    assertThatThrownBy(() -> json("[{\"name\": \"" + "x".repeat(100_000) + "\"}]")).hasMessageContaining("longer than");
  }
}
