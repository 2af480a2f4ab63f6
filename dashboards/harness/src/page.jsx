/*
 * Browser side of the okta-ir dashboard harness.
 *
 * Exposes window.oktaIr.validate(definition) and window.oktaIr.render(definition, snapshots):
 * the definition renders with Splunk's own DashboardCore and Cloud preset, except that every
 * search data source (ds.search, ds.savedSearch, ds.chain) is served from a snapshot keyed by
 * its data source id. Each request is recorded with its token-substituted query so that the
 * Node driver can check what a drilldown changed.
 */
import React from 'react';
import { createRoot } from 'react-dom/client';
import { DashboardCore } from '@splunk/dashboard-core';
import { DashboardContextProvider } from '@splunk/dashboard-context';
import CloudPreset from '@splunk/dashboard-presets/CloudPreset';
import DataSource from '@splunk/datasources/DataSource';
import { DataSet } from '@splunk/datasource-utils';
import { createSchemaBasedOnPresets } from '@splunk/dashboard-definition';
import { DashboardValidator } from '@splunk/dashboard-validation';

const state = { snapshots: {}, requests: [], missing: [], tokens: [], opened: [], root: null };

// drilldowns to other dashboards open a window: record the URL instead of leaving the page
window.open = (url) => {
    state.opened.push(String(url));
    return null;
};

class SnapshotSearch extends DataSource {
    static config = {
        extendableByDataSourceTypes: ['ds.chain', 'ds.search', 'ds.savedSearch'],
        isChainEnabled: true,
    };

    request(requestParams) {
        const id = this.context && this.context.id;
        const query = (this.options && (this.options.query || this.options.ref)) || '';
        state.requests.push({ id, query, at: Date.now() });
        return (observer) => {
            if (!observer) {
                return () => undefined;
            }
            const snapshot = state.snapshots[id];
            if (!snapshot) {
                state.missing.push(id);
                observer.error({ level: 'error', message: `no snapshot for data source ${id}` });
                return () => undefined;
            }
            const data = DataSet.fromJSONCols(snapshot.fields, snapshot.columns);
            const timer = setTimeout(() => {
                observer.next({
                    data: data.getPage({ count: requestParams && requestParams.count, offset: requestParams && requestParams.offset }),
                    meta: { totalCount: data.getTotalCount(), status: 'done' },
                });
                observer.complete();
            }, 0);
            return () => clearTimeout(timer);
        };
    }
}

const preset = {
    ...CloudPreset,
    dataSources: {
        ...CloudPreset.dataSources,
        'ds.search': SnapshotSearch,
        'ds.savedSearch': SnapshotSearch,
        'ds.chain': SnapshotSearch,
    },
};

let validator = null;

function validate(definition) {
    if (!validator) {
        validator = new DashboardValidator();
        const err = validator.setSchema(createSchemaBasedOnPresets(preset));
        if (err) {
            throw err;
        }
    }
    const errors = validator.validate(definition);
    if (!errors) {
        return [];
    }
    const list = Array.isArray(errors) ? errors : Object.values(errors).flat();
    return list.map((e) => (typeof e === 'string' ? e : `${e.instancePath || ''} ${e.message || JSON.stringify(e)}`.trim()));
}

function render(definition, snapshots) {
    state.snapshots = snapshots;
    state.requests = [];
    state.missing = [];
    state.tokens = [];
    const container = document.getElementById('root');
    if (state.root) {
        state.root.unmount();
    }
    state.root = createRoot(container);
    state.root.render(
        <DashboardContextProvider
            preset={preset}
            initialDefinition={definition}
            timezone={{ ianaTimezone: 'UTC', utcOffset: 0 }}
            onTokenBindingChange={(tokens) => state.tokens.push(tokens)}
        >
            <DashboardCore width="100%" height="auto" />
        </DashboardContextProvider>
    );
}

window.oktaIr = { validate, render, state };
