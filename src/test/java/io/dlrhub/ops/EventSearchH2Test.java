package io.dlrhub.ops;

import io.dlrhub.support.HubExtension;
import io.dlrhub.support.TestDatabase;
import org.junit.jupiter.api.extension.RegisterExtension;

class EventSearchH2Test extends EventSearchContract {

    @RegisterExtension
    static final HubExtension shared = hubOn(TestDatabase::h2InMemory);

    @Override
    HubExtension shared() {
        return shared;
    }
}
