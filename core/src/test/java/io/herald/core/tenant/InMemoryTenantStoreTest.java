package io.herald.core.tenant;

/** The in-memory tenant store against the contract. */
class InMemoryTenantStoreTest extends TenantStoreContractTest {

    @Override
    protected TenantStore newStore() {
        return new InMemoryTenantStore();
    }
}
