package io.dlrhub.ops;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.TestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventSearchPostgresTest extends EventSearchContract {

    @RegisterExtension
    static final HubExtension shared = hubOn(TestDatabase::postgres);

    @Override
    HubExtension shared() {
        return shared;
    }
}
