package dev.herald.privacy;

import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.io.IOException;
import java.io.Writer;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.springframework.stereotype.Service;

/**
 * The record of processing activities the operator keeps (GDPR art. 30), drawn from the personal-data map: per
 * capability and table whose data it is and why it is kept, and per personal column its category, its retention
 * category with the schedule that applies now, what an erasure does to it and, for what is kept, why. Tables without
 * personal data are listed too, so the record shows the whole schema was looked at.
 */
@Service
public class ProcessingRecord {
  private final PersonalDataMap map;
  private final RetentionSchedules schedules;
  private final Clock clock;

  ProcessingRecord(PersonalDataMap map, RetentionSchedules schedules, Clock clock) {
    this.map = map;
    this.schedules = schedules;
    this.clock = clock;
  }

  /** The whole record, as the JSON download has it. */
  public record Record(Instant generatedAt, List<Table> tables) {}

  /** A table: {@code subject} null for one without personal data. */
  public record Table(String capability, String table, String subject, String purpose, List<Column> personalColumns) {}

  /** A personal column; {@code schedule} is the installation's now ("account lifetime" has none). */
  public record Column(String column, String category, String retention, String schedule, String onErasure, boolean exported,
      String keptBecause) {}

  public Record record() {
    Map<RetentionCategory, String> schedule = new EnumMap<>(RetentionCategory.class);
    for (RetentionSchedules.Schedule s : schedules.operatorSchedules()) schedule.put(s.category(), s.periodText());
    List<Table> tables = new ArrayList<>();
    for (PersonalDataHolder holder : map.holders()) {
      for (PersonalDataTable t : holder.tables()) {
        List<Column> columns = new ArrayList<>();
        for (PersonalDataColumn c : t.columns()) {
          columns.add(new Column(c.column(), c.category().text(), c.retention().text(),
              schedule.getOrDefault(c.retention(), "until the person is erased or the account is closed"), c.onErasure().text(),
              c.exported(), c.keptBecause()));
        }
        tables.add(new Table(holder.capability(), t.table(), t.subject() == null ? null : t.subject().text(), t.purpose(), columns));
      }
    }
    return new Record(clock.instant(), tables);
  }

  /** The CSV download: one line per personal column, and one per table without personal data. */
  static final String[] CSV_HEADER = {"capability", "table", "data subject", "purpose", "column", "category", "retention category",
      "schedule", "on erasure", "exported on access", "kept because"};

  public void writeCsv(Writer out) throws IOException {
    writeLine(out, CSV_HEADER);
    for (Table t : record().tables()) {
      if (t.personalColumns().isEmpty()) {
        writeLine(out, t.capability(), t.table(), "", t.purpose(), "", "", "", "", "", "", "");
      }
      for (Column c : t.personalColumns()) {
        writeLine(out, t.capability(), t.table(), t.subject(), t.purpose(), c.column(), c.category(), c.retention(), c.schedule(),
            c.onErasure(), c.exported() ? "yes" : "no (described instead)", c.keptBecause());
      }
    }
    out.flush();
  }

  private static void writeLine(Writer out, String... cells) throws IOException {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) out.write(',');
      String s = cells[i] == null ? "" : cells[i];
      // A spreadsheet runs a cell starting with = + - @ as a formula (DESIGN.md security rule 6).
      if (!s.isEmpty() && "=+-@\t\r".indexOf(s.charAt(0)) >= 0) s = "'" + s;
      boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0 || s.indexOf('\r') >= 0;
      out.write(quote ? '"' + s.replace("\"", "\"\"") + '"' : s);
    }
    out.write("\r\n");
  }
}
