<?php
// Shellbox server entry point for the local wiki (router script of `php -S`).
// Copied into STATE/shellbox/ by ci/local-wiki/wiki; config.json sits beside it.
// The config path is passed explicitly: $_ENV is empty under the default variables_order.
require '/usr/share/mediawiki/vendor/autoload.php';
Shellbox\Server::main( __DIR__ . '/config.json' );
