package io.dlrhub.ops;

import io.dlrhub.support.TestDatabase;

class EventSearchH2Test extends EventSearchContract {

    @Override
    TestDatabase database() {
        return TestDatabase.h2InMemory();
    }
}
