package dev.herald.domains;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.List;
import org.springframework.stereotype.Component;

/**
 * Domains' part of the personal-data map: none of its tables holds personal data. A sending domain is the
 * organization's (or the installation's) name in the DNS, its DKIM keys are the public halves (the private keys are
 * secrets in the platform's encrypted store, which the organization's deletion removes: {@link DomainsPurge}, not personal
 * data), and a record check holds what the DNS answered for the domain's own records. So access exports nothing, erasure
 * changes nothing and no retention applies; the tables are declared so the map shows they were looked at.
 */
@Component
class DomainsPersonalData implements PersonalDataHolder {
  @Override
  public String capability() {
    return "domains";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.none("sending_domain", "Domains the organization (or the installation) sends from, and their verification",
            "name", "unicode_name", "dkim_signatures"),
        PersonalDataTable.none("dkim_key", "The public halves of a domain's DKIM keys and their rotation (private keys are secrets)",
            "selector", "algorithm", "public_key", "status"),
        PersonalDataTable.none("domain_record_check",
            "What the DNS answered for each record a domain must publish, the tracking domain's CNAME (track.<domain>) among them",
            "record", "state", "found", "detail"));
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
