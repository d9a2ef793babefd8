package dev.herald.platform.personaldata;

import java.util.List;
import java.util.Map;

/**
 * Where a capability writes what it holds about a person for an access or portability request. The privacy
 * capability turns each section into JSON, CSV and a table of the readable summary.
 */
public interface PersonalDataArchive {
  /**
   * One kind of item ("subscriber", "consent records", "tracking events", ...) with its rows; a row's keys are
   * its column names, in the order they should be shown. Values are strings, numbers, booleans, instants, maps
   * and lists (jsonb as maps), or null.
   */
  void section(String capability, String name, String description, List<Map<String, Object>> rows);
}
