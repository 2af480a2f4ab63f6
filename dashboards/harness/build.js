// Bundles src/page.jsx for the browser (esbuild); run by render.js when dist/ is missing or stale.
const path = require('path');
const esbuild = require('esbuild');

async function build() {
    await esbuild.build({
        entryPoints: [path.join(__dirname, 'src', 'page.jsx')],
        outfile: path.join(__dirname, 'dist', 'page.js'),
        bundle: true,
        format: 'iife',
        platform: 'browser',
        target: 'chrome110',
        minify: true,
        sourcemap: false,
        logLevel: 'warning',
        loader: { '.js': 'jsx', '.svg': 'dataurl', '.png': 'dataurl', '.woff': 'dataurl', '.woff2': 'dataurl' },
        define: { 'process.env.NODE_ENV': '"production"', global: 'window' },
    });
}

module.exports = { build };

if (require.main === module) {
    build().catch((err) => {
        console.error(err.message);
        process.exit(1);
    });
}
