package dev.herald.privacy;

import dev.herald.audiences.ExportFormat;
import dev.herald.audiences.ExportTable;
import dev.herald.platform.OrganizationArchive;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.jdbc.core.ResultSetExtractor;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.databind.ObjectMapper;

/**
 * An organization's export as a ZIP: each capability's table as {@code <capability>/<name>.csv}, {@code .xlsx} and
 * {@code .json}, its files under {@code <capability>/<folder>/}, and a {@code manifest.json} listing every table with
 * its row count. A table is read once, through a cursor ({@link #FETCH_SIZE} rows a round trip), and written to three
 * temporary files at once (a ZIP takes one entry at a time), which are then copied into the ZIP and deleted: memory
 * stays flat whatever the organization's size. CSV and XLSX go through audiences' export writers, which neutralize
 * spreadsheet formulas (DESIGN.md security rule 6).
 */
final class ZipArchive implements OrganizationArchive, AutoCloseable {
  static final int FETCH_SIZE = 1_000;
  /** Excel's limit for a sheet name is 31 characters; room is left for " 2" on a second sheet. */
  private static final int SHEET_NAME = 28;

  record Table(String capability, String name, String description, long rows) {}

  private final ZipOutputStream zip;
  private final JdbcClient jdbc;
  private final TransactionTemplate readOnly;
  private final ObjectMapper json;
  private final Path temp;
  private final List<Table> tables = new ArrayList<>();
  private final Map<String, Long> files = new LinkedHashMap<>();
  private long rows;

  ZipArchive(OutputStream out, JdbcClient jdbc, TransactionTemplate readOnly, ObjectMapper json) throws IOException {
    this.zip = new ZipOutputStream(new BufferedOutputStream(out, 256 * 1024));
    this.jdbc = jdbc;
    this.readOnly = readOnly;
    this.json = json;
    this.temp = Files.createTempDirectory("herald-export");
  }

  List<Table> tables() {
    return List.copyOf(tables);
  }

  /** Rows written so far, over every table. */
  long rows() {
    return rows;
  }

  @Override
  public void table(String capability, String name, String description, String sql, Object... params) {
    Path csv = temp.resolve("t.csv"), xlsx = temp.resolve("t.xlsx"), js = temp.resolve("t.json");
    try {
      long written;
      try (OutputStream csvOut = new BufferedOutputStream(Files.newOutputStream(csv), 64 * 1024);
          OutputStream xlsxOut = new BufferedOutputStream(Files.newOutputStream(xlsx), 64 * 1024);
          OutputStream jsonOut = new BufferedOutputStream(Files.newOutputStream(js), 64 * 1024)) {
        String sheet = name.length() > SHEET_NAME ? name.substring(0, SHEET_NAME) : name;
        ExportTable csvTable = ExportTable.open(ExportFormat.CSV, csvOut, sheet);
        ExportTable xlsxTable = ExportTable.open(ExportFormat.XLSX, xlsxOut, sheet);
        JsonGenerator g = json.createGenerator(jsonOut);
        written = readOnly.execute(tx -> jdbc.sql(sql).params(params).withFetchSize(FETCH_SIZE)
            .query((ResultSetExtractor<Long>) rs -> copy(rs, csvTable, xlsxTable, g)));
        csvTable.close();
        xlsxTable.close();
        g.close();
      }
      entry(capability + "/" + name + ".csv", csv);
      entry(capability + "/" + name + ".xlsx", xlsx);
      entry(capability + "/" + name + ".json", js);
      tables.add(new Table(capability, name, description, written));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      for (Path p : List.of(csv, xlsx, js)) p.toFile().delete();
    }
  }

  @Override
  public void files(String capability, String folder, String sql, Object... params) {
    long[] count = {0};
    readOnly.executeWithoutResult(tx -> jdbc.sql(sql).params(params).withFetchSize(1).query((RowCallbackHandler) rs -> {
      try {
        zip.putNextEntry(new ZipEntry(capability + "/" + folder + "/" + rs.getString(1)));
        byte[] bytes = rs.getBytes(2);
        if (bytes != null) zip.write(bytes);
        zip.closeEntry();
        count[0]++;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }));
    files.merge(capability + "/" + folder, count[0], Long::sum);
  }

  /** Writes the manifest and ends the ZIP (the output stream is closed too). */
  void finish(Map<String, Object> about) throws IOException {
    Map<String, Object> manifest = new LinkedHashMap<>(about);
    List<Map<String, Object>> listed = new ArrayList<>();
    for (Table t : tables) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("capability", t.capability());
      m.put("name", t.name());
      m.put("description", t.description());
      m.put("rows", t.rows());
      m.put("files", List.of(t.capability() + "/" + t.name() + ".csv", t.capability() + "/" + t.name() + ".xlsx",
          t.capability() + "/" + t.name() + ".json"));
      listed.add(m);
    }
    manifest.put("tables", listed);
    manifest.put("fileFolders", files);
    zip.putNextEntry(new ZipEntry("manifest.json"));
    zip.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(manifest));
    zip.closeEntry();
    zip.finish();
    zip.close();
  }

  @Override
  public void close() {
    try {
      Files.deleteIfExists(temp);
    } catch (IOException ignored) {
      // an empty folder in the temporary directory; the system cleans it
    }
  }

  private void entry(String name, Path file) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    Files.copy(file, zip);
    zip.closeEntry();
  }

  private long copy(ResultSet rs, ExportTable csv, ExportTable xlsx, JsonGenerator g) throws SQLException {
    try {
      ResultSetMetaData meta = rs.getMetaData();
      int n = meta.getColumnCount();
      Object[] header = new Object[n];
      for (int i = 0; i < n; i++) header[i] = meta.getColumnLabel(i + 1);
      csv.row(header);
      xlsx.row(header);
      g.writeStartArray();
      long count = 0;
      while (rs.next()) {
        Object[] cells = new Object[n];
        g.writeStartObject();
        for (int i = 1; i <= n; i++) {
          String type = meta.getColumnTypeName(i);
          g.writeName((String) header[i - 1]);
          cells[i - 1] = cellAndJson(rs, i, type, g);
        }
        g.writeEndObject();
        csv.row(cells);
        xlsx.row(cells);
        count++;
        rows++;
      }
      g.writeEndArray();
      return count;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Writes the column's value as JSON and answers it as a spreadsheet cell (text, number, yes/no, time or empty):
   * jsonb stays JSON in the JSON file and is its text in the sheets, arrays are lists there and comma-joined here.
   */
  private static Object cellAndJson(ResultSet rs, int i, String type, JsonGenerator g) throws SQLException {
    Object value = switch (type) {
      case "timestamptz", "timestamp" -> {
        java.sql.Timestamp t = rs.getTimestamp(i);
        yield t == null ? null : t.toInstant();
      }
      case "date" -> {
        java.sql.Date d = rs.getDate(i);
        yield d == null ? null : d.toLocalDate();
      }
      case "bytea" -> {
        byte[] b = rs.getBytes(i);
        yield b == null ? null : HexFormat.of().formatHex(b);
      }
      default -> rs.getObject(i);
    };
    if (value == null) {
      g.writeNull();
      return null;
    }
    if (type.equals("json") || type.equals("jsonb")) {
      String text = value.toString();
      g.writeRawValue(text);
      return text;
    }
    return switch (value) {
      case String s -> {
        g.writeString(s);
        yield s;
      }
      case Boolean b -> {
        g.writeBoolean(b);
        yield b;
      }
      case BigDecimal d -> {
        g.writeNumber(d);
        yield d;
      }
      case Number num -> {
        BigDecimal d = new BigDecimal(num.toString());
        g.writeNumber(d);
        yield d;
      }
      case Instant t -> {
        g.writeString(t.toString());
        yield t;
      }
      case java.time.LocalDate d -> {
        g.writeString(d.toString());
        yield d;
      }
      case java.sql.Array a -> {
        Object[] items = (Object[]) a.getArray();
        g.writeStartArray();
        List<String> texts = new ArrayList<>();
        for (Object item : items) {
          if (item == null) g.writeNull();
          else g.writeString(item.toString());
          if (item != null) texts.add(item.toString());
        }
        g.writeEndArray();
        yield String.join(", ", texts);
      }
      default -> {
        g.writeString(value.toString());
        yield value.toString();
      }
    };
  }
}
