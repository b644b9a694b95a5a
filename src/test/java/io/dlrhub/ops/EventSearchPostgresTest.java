package io.dlrhub.ops;

import io.dlrhub.support.TestDatabase;

class EventSearchPostgresTest extends EventSearchContract {

    @Override
    TestDatabase database() {
        return TestDatabase.postgres();
    }
}
