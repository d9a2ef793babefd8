package dev.herald.audiences;

import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * One subscriber record of a file.
 *
 * @param line      1-based physical line where the record starts (the header is line 1; a quoted cell with line breaks
 *                  makes its record span several lines) or, for XLSX, the spreadsheet row number
 * @param cells     one value per header column, in header order, never null: cells the record lacks are "", cells it
 *                  has beyond the header are dropped (and flagged by {@link #cellCountMismatch()})
 * @param cellCount how many cells the record really had
 */
record SubscriberFileRow(long line, List<String> cells, int cellCount) {

  /** The value in a column, "" when the column is out of range. */
  public String cell(int column) {
    return column >= 0 && column < cells.size() ? cells.get(column) : "";
  }

  /**
   * Whether the record had more or fewer cells than the header: usually a broken file the importer should report. In
   * a spreadsheet, where empty trailing cells are simply absent, only data beyond the header's columns counts.
   */
  public boolean cellCountMismatch() {
    return cellCount != cells.size();
  }

  /** Fits raw cells to the header width, nulls read as ""; the array is taken over, not copied (this runs per row). */
  static SubscriberFileRow of(long line, String[] raw, int cellCount, int width) {
    String[] cells = raw.length == width ? raw : Arrays.copyOf(raw, width);
    for (int i = 0; i < width; i++) if (cells[i] == null) cells[i] = "";
    return new SubscriberFileRow(line, Collections.unmodifiableList(Arrays.asList(cells)), cellCount);
  }
}
