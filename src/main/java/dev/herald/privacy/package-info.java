/**
 * Privacy: the personal-data map collected from every capability ({@code platform.personaldata}), data-subject
 * requests (access, portability, rectification, erasure, restriction, objection), account export and closure,
 * retention schedules, breach notices and the installation's public privacy page. It reads other capabilities only
 * through the map's holders and their public APIs.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Privacy")
package dev.herald.privacy;
