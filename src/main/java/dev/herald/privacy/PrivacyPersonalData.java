package dev.herald.privacy;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.ArrayList;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * The privacy capability's own part of the personal-data map. Each privacy feature adds the declarations of its tables
 * to {@link #tables()} (one entry per table, in the order the migrations create them).
 */
@Component
class PrivacyPersonalData implements PersonalDataHolder {

  @Override
  public String capability() {
    return "privacy";
  }

  @Override
  public List<PersonalDataTable> tables() {
    List<PersonalDataTable> tables = new ArrayList<>();
    return tables;
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    // nothing of privacy's own tables is about a person yet
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    return ErasureCount.none();
  }
}
