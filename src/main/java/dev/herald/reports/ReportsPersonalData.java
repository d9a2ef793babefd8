package dev.herald.reports;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Reports' part of the personal-data map: the overview's daily counts and the snapshots of large campaigns' reports hold counts, the campaign's name,
 * its tracked links' addresses (the organization's own pages) and its recipients' largest domains (mailbox providers,
 * each with thousands of recipients), never an address, a recipient id or anything else by which a person could be
 * found. Erasure leaves every figure as it was (the capabilities that hold the rows anonymize them, keeping the counts,
 * CampaignsPersonalDataTest), so a snapshot stays exact and nothing here changes; access exports nothing.
 */
@Component
class ReportsPersonalData implements PersonalDataHolder {
  @Override
  public String capability() {
    return "reports";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(PersonalDataTable.none("campaign_report_snapshot",
        "A large campaign's report as of a recent time, so its page answers at once (counts only)", "status", "failure", "lease_owner",
        "figures"),
        PersonalDataTable.none("organization_report_day", "The organization overview's counts of each closed day, so a view reads a day once"));
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    // nothing about a person: see the class comment
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    return ErasureCount.none();
  }
}
