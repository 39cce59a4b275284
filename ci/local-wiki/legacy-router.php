<?php
// Router of the "legacy" front (PHP's built-in server): production's URL layout
// without nginx. /wiki/Title goes to index.php; everything else under the
// document root (/w/*.php entry points with PATH_INFO, static files) is served
// by the built-in server itself.
$path = parse_url( $_SERVER['REQUEST_URI'], PHP_URL_PATH );
if ( $path === '/' || str_starts_with( $path, '/wiki/' ) ) {
	$_SERVER['SCRIPT_NAME'] = '/w/index.php';
	$_SERVER['SCRIPT_FILENAME'] = $_SERVER['DOCUMENT_ROOT'] . '/w/index.php';
	$title = $path === '/' ? '' : rawurldecode( substr( $path, strlen( '/wiki/' ) ) );
	if ( $title !== '' ) {
		$_GET['title'] = $title;
		$_REQUEST['title'] = $title;
	}
	chdir( '/usr/share/mediawiki' );
	require '/usr/share/mediawiki/index.php';
	return true;
}
return false;
